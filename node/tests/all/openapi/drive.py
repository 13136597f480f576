"""Drives a Redoubt node with ONLY the client openapi-python-client generated
from the node's /openapi.json: install an agent, submit a job, poll it until
it ends, fetch its output and receipt (by job and by hash). Prints what it saw
as one JSON object; raises (exit 1) on anything unexpected.

Usage: REDOUBT_API_TOKEN=... python3 drive.py CLIENT_PARENT_DIR BASE_URL MANIFEST_FILE COMPONENT_FILE INPUT
(the token in the environment, not on a command line other processes can read)
"""

import base64
import json
import os
import sys
import time
from pathlib import Path

parent, base_url, manifest_file, component_file, job_input = sys.argv[1:]
token = os.environ["REDOUBT_API_TOKEN"]
sys.path.insert(0, parent)

from redoubt_client import AuthenticatedClient  # noqa: E402
from redoubt_client.api.agents import get_agent, install_agent, list_agents  # noqa: E402
from redoubt_client.api.jobs import (  # noqa: E402
    get_job,
    get_job_output,
    get_job_receipt,
    get_receipt,
    submit_job,
)
from redoubt_client.models import InstallAgent, JobState, SubmitJobRequest  # noqa: E402

DEADLINE_SECONDS = 30


def expect(status, response, what):
    if int(response.status_code) != status:
        raise SystemExit(f"{what}: HTTP {int(response.status_code)}, expected {status}: {response.content!r}")
    return response.parsed


client = AuthenticatedClient(base_url=base_url, token=token, timeout=30.0)
with client:
    package = InstallAgent(
        manifest=Path(manifest_file).read_text(),
        component_base64=base64.b64encode(Path(component_file).read_bytes()).decode(),
    )
    agent = expect(201, install_agent.sync_detailed(client=client, body=package), "install_agent")
    listed = [record.name for record in list_agents.sync(client=client)]
    fetched = get_agent.sync(client=client, name=agent.name)

    request = SubmitJobRequest(agent=agent.name, input_=job_input)
    queued = expect(202, submit_job.sync_detailed(client=client, body=request), "submit_job")
    deadline = time.monotonic() + DEADLINE_SECONDS
    job = queued
    while job.state in (JobState.QUEUED, JobState.RUNNING):
        if time.monotonic() > deadline:
            raise SystemExit(f"job {queued.id} still {job.state} after {DEADLINE_SECONDS} s")
        time.sleep(0.05)
        job = get_job.sync(client=client, id=queued.id)

    output = get_job_output.sync_detailed(client=client, id=job.id)
    expect(200, output, "get_job_output")
    bundle = expect(200, get_job_receipt.sync_detailed(client=client, id=job.id), "get_job_receipt")
    by_hash = expect(200, get_receipt.sync_detailed(client=client, hash_=bundle.hash_), "get_receipt")

print(
    json.dumps(
        {
            "agent": agent.name,
            "code_hash": agent.code_hash,
            "listed": listed,
            "fetched": fetched.name,
            "queued_state": queued.state.value,
            "job_id": job.id,
            "state": job.state.value,
            "receipt": job.receipt,
            "output": output.content.decode(),
            "bundle_hash": bundle.hash_,
            "bundle_job_id": bundle.job_id,
            "by_hash_job_id": by_hash.job_id,
        }
    )
)
