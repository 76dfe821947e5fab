"""HTTP routes of the alarms domain."""

from fastapi import APIRouter

router = APIRouter(tags=["alarms"])
