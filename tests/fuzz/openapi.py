"""The app's OpenAPI document, as the fuzzing tests walk it at collection time."""

import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from opencoc.app import create_app
from opencoc.config import Settings

BASE_URL = "http://testserver"


@cache
def document() -> dict[str, Any]:
    """/openapi.json of an app built only for it: the document depends on the routes, not on a database."""
    data_dir = Path(tempfile.mkdtemp(prefix="opencoc-openapi-"))
    app = create_app(Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'unused.db'}", secret_key="x"))
    try:
        return app.openapi()
    finally:
        app.state.db.dispose()
        shutil.rmtree(data_dir)
