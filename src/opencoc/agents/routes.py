"""HTTP routes of the agents domain."""

from fastapi import APIRouter

router = APIRouter(tags=["agents"])
