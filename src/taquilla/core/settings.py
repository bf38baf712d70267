"""Settings read from environment variables (pydantic-settings).

Every variable is documented in the README's configuration table.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from limits import parse
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from taquilla.core.secrets import check_secret


class Settings(BaseSettings):
    """Process-wide configuration.

    ``database_url``/``redis_url`` empty means "start the embedded server under
    ``data_dir``" (see :mod:`taquilla.core.infra`).
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False, hide_input_in_errors=True)

    database_url: str = Field(default="", alias="DATABASE_URL")
    redis_url: str = Field(default="", alias="REDIS_URL")
    data_dir: Path = Field(default=Path("./.taquilla"), alias="TAQUILLA_DATA_DIR")
    database_name: str = Field(default="taquilla", alias="TAQUILLA_DATABASE_NAME")

    jwt_secret: str = Field(default="", alias="JWT_SECRET", description="empty: generated once, kept in data_dir (0600)")
    jwt_ttl_minutes: int = Field(default=12 * 60, ge=1, alias="JWT_TTL_MINUTES")

    # Security (README "Security")
    login_rate_limit_username: str = Field(default="10/15 minutes", alias="LOGIN_RATE_LIMIT_USERNAME")
    login_rate_limit_address: str = Field(default="50/15 minutes", alias="LOGIN_RATE_LIMIT_ADDRESS")
    user_state_cache_seconds: int = Field(default=30, ge=1, le=300, alias="USER_STATE_CACHE_SECONDS")
    secure_cookies: Literal["auto", "always", "never"] = Field(default="auto", alias="SECURE_COOKIES")
    hsts_max_age_seconds: int = Field(default=31_536_000, ge=0, alias="HSTS_MAX_AGE_SECONDS")

    ticket_premium_factor: int = Field(default=2, ge=1, le=100, alias="TICKET_PREMIUM_FACTOR")
    director_cache_ttl_seconds: int = Field(default=45, ge=30, le=60, alias="DIRECTOR_CACHE_TTL_SECONDS")
    kpi_refresh_debounce_ms: int = Field(default=300, ge=0, le=5000, alias="KPI_REFRESH_DEBOUNCE_MS")
    kpi_refresh_min_interval_ms: int = Field(default=1000, ge=0, le=60000, alias="KPI_REFRESH_MIN_INTERVAL_MS")

    cors_origins: str = Field(
        default="http://localhost:8081,http://127.0.0.1:8081,http://localhost:19006",
        alias="CORS_ORIGINS",
        description="comma-separated browser origins allowed to call the API ('*' = any, empty = none)",
    )
    max_body_bytes: int = Field(default=1_000_000, ge=1024, alias="MAX_BODY_BYTES")
    # Connections kept per process. Above it the pool opens overflow connections and closes them again as
    # soon as as many are idle: under a rush of sales that churned 40–70 new connections a run (each a new
    # backend, its statements prepared again) and doubled the lottery's p99 (issue 13, bench/README.md
    # "Session 8"). Keep it at the requests a process serves at once; same cap (30) as before.
    db_pool_size: int = Field(default=20, ge=1, le=200, alias="DB_POOL_SIZE")
    db_max_overflow: int = Field(default=10, ge=0, le=200, alias="DB_MAX_OVERFLOW")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    shutdown_grace_seconds: int = Field(
        default=30, ge=1, le=600, alias="SHUTDOWN_GRACE_SECONDS",
        description="on SIGTERM/SIGINT: stop accepting, then wait this long for in-flight requests to finish",
    )

    # Box office
    max_places_per_ticket: int = Field(default=20, ge=1, le=1000, alias="MAX_PLACES_PER_TICKET")
    storefront_rate_limit: str = Field(default="120/minute", alias="STOREFRONT_RATE_LIMIT")
    availability_cache_ttl_seconds: int = Field(default=30, ge=1, le=3600, alias="AVAILABILITY_CACHE_TTL_SECONDS")
    debug_disable_oversell_guard: bool = Field(default=False, alias="TAQUILLA_DEBUG_DISABLE_OVERSELL_GUARD")

    # Sales network
    network_timezone: str = Field(default="America/Costa_Rica", alias="NETWORK_TIMEZONE")
    dashboard_cache_ttl_seconds: int = Field(default=300, ge=1, le=86400, alias="DASHBOARD_CACHE_TTL_SECONDS")
    dashboard_cxc_alert_threshold: Decimal = Field(default=Decimal(1_000_000), ge=0, alias="DASHBOARD_CXC_ALERT_THRESHOLD",
                                                   description="colones: a ventana whose CxC exceeds it raises a HIGH_CXC alert")
    dashboard_low_margin_percent: Decimal = Field(default=Decimal(5), alias="DASHBOARD_LOW_MARGIN_PERCENT",
                                                  description="a period margin below it (percent) raises a LOW_MARGIN alert")
    dashboard_export_ttl_seconds: int = Field(default=600, ge=10, le=86400, alias="DASHBOARD_EXPORT_TTL_SECONDS",
                                              description="how long an exported dashboard file can be downloaded")


    @field_validator("jwt_secret")
    @classmethod
    def _secret_is_safe(cls, value: str) -> str:
        return check_secret(value) if value else value

    @field_validator("login_rate_limit_username", "login_rate_limit_address")
    @classmethod
    def _limit_parses(cls, value: str) -> str:
        parse(value)  # raises ValueError on a malformed limits string
        return value

    @property
    def cors_origin_list(self) -> list[str]:
        """``CORS_ORIGINS`` split on commas, blanks dropped."""
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]


@lru_cache
def get_settings() -> Settings:
    """The process settings, read once from the environment."""
    return Settings()
