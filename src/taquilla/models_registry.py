"""Imports every model module so that ``Base.metadata`` knows all tables (Alembic, tests)."""

from taquilla.boxoffice import models as _boxoffice  # noqa: F401
from taquilla.core import models as _core  # noqa: F401
from taquilla.core.db import Base
from taquilla.director import models as _director  # noqa: F401
from taquilla.identity import models as _identity  # noqa: F401
from taquilla.network import models as _network  # noqa: F401

metadata = Base.metadata
