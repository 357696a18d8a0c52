"""The comment's content end to end: the real App over HTTP against the GitHub double.

A report that names its model and pastes `nvidia-smi` and `pip freeze` gets the model card and is not asked
for what it gave; a vague report is asked; a near-duplicate of an earlier closed issue links that issue.
"""

from __future__ import annotations

from typing import Any

import pytest

from classifier.taxonomy import load_taxonomy
from tests.e2e.harness import AppServer, bot_comments, deliver, issues_payload
from tests.support.github_fixtures import GitHubDoubleHandle

pytestmark = pytest.mark.slow

HARDWARE = {item.field: item.ask for item in load_taxonomy().get("hardware-resources").checklist}
ENVIRONMENT = {item.field: item.ask for item in load_taxonomy().get("software-environment").checklist}
VERSION_ASKS = (HARDWARE["cuda_version"], ENVIRONMENT["package_versions"])
WHISPER_CARD = "[openai/whisper-large-v3](https://huggingface.co/openai/whisper-large-v3)"

DETAILED_TITLE = "CUDA out of memory when loading openai/whisper-large-v3 on my GPU"
DETAILED_BODY = """Loading the whisper large-v3 model with the transformers pipeline runs out of GPU memory:

```python
pipe = pipeline("automatic-speech-recognition", model="openai/whisper-large-v3", device="cuda:0")
```

```
torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 11.76 GiB total capacity)
```

nvidia-smi:
```
+-----------------------------------------------------------------------------+
| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: 12.2     |
|   0  NVIDIA GeForce RTX 3060   On | 00000000:01:00.0 Off |                  N/A |
|  0%   45C    P8    15W / 170W |    250MiB / 12288MiB |      0%      Default |
+-----------------------------------------------------------------------------+
```

pip freeze:
```
accelerate==0.27.2
torch==2.2.1
transformers==4.38.2
```
"""
VAGUE_TITLE = "CUDA out of memory when loading the model on GPU"
VAGUE_BODY = "torch.cuda.OutOfMemoryError: CUDA out of memory when I load the pretrained model. How do I fix it?"

EARLIER_TITLE = "CUDA out of memory with whisper large-v3 when transcribing long audio on GPU"
EARLIER_BODY = (
    "Transcribing a two hour podcast with the whisper large-v3 model crashes with torch.cuda.OutOfMemoryError: "
    "CUDA out of memory. Tried to allocate 1.50 GiB on my 8 GB GPU. Shorter files work; lowering batch_size "
    "does not reduce the peak GPU memory."
)
LATER_TITLE = "whisper large-v3: CUDA out of memory on GPU transcribing long audio"
LATER_BODY = (
    "A 90 minute lecture recording fails with torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to "
    "allocate 1.50 GiB on an 8 GB GPU, while short clips work. Lowering batch_size does not reduce the peak "
    "GPU memory of the whisper large-v3 model."
)


def opened(gh: GitHubDoubleHandle, title: str, body: str) -> tuple[int, dict[str, Any]]:
    issue = gh.add_issue(gh.repo, title, body, user="reporter")
    return int(issue["number"]), issues_payload("opened", gh.repo, gh.installation_id, issue["number"], title, body)


def the_comment(app: AppServer, gh: GitHubDoubleHandle, secret: str, title: str, body: str) -> tuple[int, str]:
    number, payload = opened(gh, title, body)
    _, response = deliver(app, secret, "issues", payload)
    assert response.status_code == 202
    app.wait_idle()
    comments = bot_comments(gh, number)
    assert len(comments) == 1, app.logs()[-3000:]
    return number, str(comments[0]["body"])


def test_a_detailed_report_gets_the_model_card_and_is_not_asked_for_what_it_gave(
    app_server: AppServer, github_double: GitHubDoubleHandle, webhook_secret: str
) -> None:
    _, body = the_comment(app_server, github_double, webhook_secret, DETAILED_TITLE, DETAILED_BODY)
    assert WHISPER_CARD in body
    for ask in (HARDWARE["gpu"], HARDWARE["vram"], *VERSION_ASKS):
        assert ask not in body


def test_a_vague_report_is_asked_for_its_gpu_and_versions(
    app_server: AppServer, github_double: GitHubDoubleHandle, webhook_secret: str
) -> None:
    _, body = the_comment(app_server, github_double, webhook_secret, VAGUE_TITLE, VAGUE_BODY)
    assert f"- [ ] {HARDWARE['gpu']}" in body
    assert f"- [ ] {HARDWARE['cuda_version']}" in body
    assert "huggingface.co/openai" not in body


def test_a_near_duplicate_links_the_earlier_closed_issue(
    app_server: AppServer, github_double: GitHubDoubleHandle, webhook_secret: str
) -> None:
    gh = github_double
    earlier, _ = the_comment(app_server, gh, webhook_secret, EARLIER_TITLE, EARLIER_BODY)
    gh.add_comment(gh.repo, earlier, "Use chunked long-form transcription with fp16; fixed in the next release.",
                   user="maintainer")
    closed = issues_payload("closed", gh.repo, gh.installation_id, earlier, EARLIER_TITLE, EARLIER_BODY)
    closed["issue"].update(state="closed", comments=2, closed_at="2026-01-05T00:00:00Z")
    _, response = deliver(app_server, webhook_secret, "issues", closed)
    assert response.status_code == 202
    app_server.wait_idle()

    later, body = the_comment(app_server, gh, webhook_secret, LATER_TITLE, LATER_BODY)
    assert "**Similar earlier issues:**" in body
    assert f"(https://github.com/{gh.repo}/issues/{earlier}) (closed, answered)" in body
    assert f"/issues/{later})" not in body
