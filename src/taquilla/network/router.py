"""HTTP routes of the sales network context."""

from fastapi import APIRouter

router = APIRouter(tags=["sales network"])
