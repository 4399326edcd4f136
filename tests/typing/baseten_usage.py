"""Type-checked (never run) by `make test`: what callers write must pass mypy --strict."""

from __future__ import annotations

import httpx
from baseten_client import APIResponse, AsyncBaseten, Baseten, SyncPage, types


def sync_usage(client: Baseten) -> None:
    page: SyncPage[types.UserInfoV1, types.UsersResponseV1] = client.users.list(
        timeout=httpx.Timeout(5.0), max_retries=0, extra_headers={"X-Trace": "1"}
    )
    for user in page:
        print(user.email)
    if page.has_next_page():
        page.next_page()
    patient: Baseten = client.with_options(timeout=120, max_retries=5)
    raw: APIResponse[SyncPage[types.UserInfoV1, types.UsersResponseV1]] = (
        patient.with_raw_response.users.list(limit=10)
    )
    print(raw.status_code, raw.request_id, raw.parse().items)


async def async_usage(client: AsyncBaseten) -> None:
    page = await client.users.list(max_retries=3)
    async for user in page:
        print(user.email)
    keys: types.APIKeysV1 = await client.api_keys.list(timeout=3.0)
    print(keys)
