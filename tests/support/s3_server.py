"""moto's S3 server on 127.0.0.1, in its own process, checking every request's credentials.

The server starts with `INITIAL_NO_AUTH_ACTION_COUNT` set so that only its own setup (an IAM
user and role with S3 rights, the bucket) runs unauthenticated; from then on a request signed
with wrong credentials gets S3's 403, as expired upload credentials would. The upload
credentials are real STS credentials of that role (`temporary_credentials`).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

import httpx

BUCKET = "baseten-model-uploads"
REGION = "us-west-2"
_SETUP_ACTIONS = 6  # the IAM user, its key and policy, the role and its policy, the bucket
_ALLOW_S3 = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:*", "sts:AssumeRole"], "Resource": "*"}],
}


@dataclass(frozen=True)
class S3Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str = "session-token"


class MotoS3Server:
    """`python -m moto.server` on a free port; `start()` returns once it answers."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self.credentials = S3Credentials("unset", "unset")  # the IAM user's, after start()
        self.role_arn = ""

    def start(self, timeout: float = 30.0) -> None:
        env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(_SETUP_ACTIONS)}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                httpx.get(f"{self.url}/moto-api/", timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    self.stop()
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.05)
        self._set_up()

    def _set_up(self) -> None:
        iam = self.client("iam", S3Credentials("setup", "setup"))
        iam.create_user(UserName="uploader")
        key = iam.create_access_key(UserName="uploader")["AccessKey"]
        iam.put_user_policy(
            UserName="uploader", PolicyName="s3", PolicyDocument=json.dumps(_ALLOW_S3)
        )
        self.credentials = S3Credentials(key["AccessKeyId"], key["SecretAccessKey"])
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
            ],
        }
        role = iam.create_role(RoleName="upload", AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(
            RoleName="upload", PolicyName="s3", PolicyDocument=json.dumps(_ALLOW_S3)
        )
        self.role_arn = role["Role"]["Arn"]
        self.client("s3").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )

    def temporary_credentials(self) -> S3Credentials:
        """STS credentials of the upload role, as `prepare_model_upload` issues them."""
        issued = self.client("sts").assume_role(RoleArn=self.role_arn, RoleSessionName="push")
        creds = issued["Credentials"]
        return S3Credentials(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])

    def client(self, service: str = "s3", credentials: S3Credentials | None = None) -> Any:
        """A boto3 client of this server (the uploader's credentials by default)."""
        import boto3

        creds = credentials or self.credentials
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=creds.access_key_id,
            aws_secret_access_key=creds.secret_access_key,
        )

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None
