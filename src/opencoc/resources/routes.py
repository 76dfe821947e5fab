"""HTTP routes of the resources domain."""

from fastapi import APIRouter

router = APIRouter(tags=["resources"])
