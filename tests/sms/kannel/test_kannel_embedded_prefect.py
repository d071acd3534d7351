"""README's broadcast command through a real Kannel with no Prefect server configured (embedded)."""

import os
import sqlite3
import subprocess
from pathlib import Path

import yaml
from kannel_harness import decode_mt

ROOT = Path(__file__).parents[3]
README_COMMAND = ["sms", "broadcast", "--campaign", "2019-2020", "--week", "3", "--gateway", "kannel"]


def _malux(env: dict[str, str]) -> subprocess.CompletedProcess:
    argv = [str(ROOT / ".venv/bin/malux"), *README_COMMAND]
    return subprocess.run(argv, env=env, capture_output=True, text=True, cwd=ROOT, timeout=400)


def test_the_readme_broadcast_command_paces_kannel_on_the_embedded_prefect_and_sends_each_message_once(
    kannel, kannel_env, dlr_sink, engine, program, data_dir
):
    phones = sorted(f"+2237600001{i}" for i in range(4))
    for i, phone in enumerate(phones):
        program.beneficiary(f"B{i}", phone=phone)
    # A new user's shell: no Prefect server, no Prefect home (MALUX keeps the temporary server's state beside
    # the data).
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_HOME")}

    first = _malux(env)
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"queued {len(phones)} (already queued 0), sent {len(phones)}, failed 0" in first.stdout
    assert sorted(decode_mt(line)[0] for line in kannel.wait_for_mt(len(phones))) == phones
    assert len(dlr_sink.wait_delivered(len(phones))) == len(phones)

    # The pace came from the limit deployments/limits.yaml defines, created on the temporary server.
    defined = yaml.safe_load((ROOT / "deployments" / "limits.yaml").read_text(encoding="utf-8"))["sms-kannel"]
    with sqlite3.connect(data_dir / "prefect" / "prefect.db") as db:
        created = db.execute(
            "select \"limit\", slot_decay_per_second from concurrency_limit_v2 where name = 'sms-kannel'"
        ).fetchall()
    assert created == [(defined["limit"], defined["slot_decay_per_second"])]

    again = _malux(env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"queued 0 (already queued {len(phones)}), sent 0, failed 0" in again.stdout
    assert sorted(decode_mt(line)[0] for line in kannel.mt_lines()) == phones
    said = first.stdout + first.stderr + again.stdout + again.stderr
    assert kannel_env["MALUX_KANNEL_PASSWORD"] not in said
