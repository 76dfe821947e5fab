"""HTTP routes of the scripts domain."""

from fastapi import APIRouter

router = APIRouter(tags=["scripts"])
