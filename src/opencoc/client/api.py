"""A small signed client for our COC API: returns parsed JSON or raises ApiError."""

from typing import Any

import httpx

from opencoc.client.auth import SdkHmacAuth
from opencoc.client.profile import Profile


class ApiError(Exception):
    def __init__(self, status: int, error_code: str, error_msg: str) -> None:
        super().__init__(f"HTTP {status} {error_code}: {error_msg}")
        self.status = status
        self.error_code = error_code
        self.error_msg = error_msg


class CocApi:
    def __init__(self, profile: Profile, timeout: float = 30.0) -> None:
        self.profile = profile
        self._http = httpx.Client(
            base_url=profile.endpoint,
            auth=SdkHmacAuth(profile.access_key, profile.secret_key, profile.domain_id),
            timeout=timeout,
            headers={"Content-Type": "application/json;charset=utf-8"},
        )

    def request(self, method: str, path: str, *, json: Any = None, params: Any = None) -> Any:
        return self._parsed(self._http.request(method, path, json=json, params=params))

    def upload(self, path: str, content: bytes, content_type: str, params: dict[str, str]) -> Any:
        """POST a raw body (signed with it) under its own Content-Type."""
        resp = self._http.post(path, content=content, params=params, headers={"Content-Type": content_type})
        return self._parsed(resp)

    def download(self, path: str) -> bytes:
        resp = self._http.get(path)
        if resp.status_code >= 400:
            self._parsed(resp)
        return resp.content

    @staticmethod
    def _parsed(resp: httpx.Response) -> Any:
        """The JSON body, or ApiError for a status of 400 and above."""
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if resp.status_code >= 400:
            if isinstance(body, dict):
                code, msg = str(body.get("error_code", resp.status_code)), str(body.get("error_msg", resp.text))
            else:
                code, msg = str(resp.status_code), resp.text
            raise ApiError(resp.status_code, code, msg)
        return body

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params={k: v for k, v in params.items() if v is not None})

    def post(self, path: str, body: Any) -> Any:
        return self.request("POST", path, json=body)

    def put(self, path: str, body: Any) -> Any:
        return self.request("PUT", path, json=body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def close(self) -> None:
        self._http.close()
