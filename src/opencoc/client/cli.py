"""The signed API client as the user commands use it: built from the profile, its errors as one line."""

from collections.abc import Iterator
from contextlib import contextmanager

from opencoc.client.api import ApiError, CocApi
from opencoc.client.profile import load_profile
from opencoc.core.cli_support import fail


def api() -> CocApi:
    profile = load_profile()
    if profile is None:
        fail("no access key: set OPENCOC_ENDPOINT, HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or run make run")
    return CocApi(profile)


@contextmanager
def api_errors() -> Iterator[None]:
    try:
        yield
    except ApiError as exc:
        fail(f"{exc.error_code}: {exc.error_msg} (HTTP {exc.status})")
