"""HTTP routes of the box office context."""

from fastapi import APIRouter

router = APIRouter(tags=["box office"])
