from __future__ import annotations

from classifier.normalize import MAX_OUTPUT_CHARS, normalize_body, normalize_title

TEMPLATE_BODY = """### Is there an existing issue for this?

- [X] I have searched the existing issues and checked the recent builds/commits

### Describe the bug

A clear and concise description of what the bug is.
The model crashes when I load the checkpoint.

**To Reproduce**
Steps to reproduce the behavior:
<!-- Please paste the full log -->
"""


def test_issue_template_boilerplate_is_dropped_and_the_reporters_words_kept() -> None:
    text = normalize_body(TEMPLATE_BODY)
    assert "The model crashes when I load the checkpoint." in text
    for boilerplate in ("existing issue", "searched", "Describe the bug", "clear and concise", "To Reproduce",
                        "Steps to reproduce", "paste the full log"):
        assert boilerplate.lower() not in text.lower()


def test_a_heading_that_is_not_template_keeps_its_words() -> None:
    assert "quantized whisper checkpoint" in normalize_body("## Quantized whisper checkpoint\nit fails")


def test_code_blocks_and_tracebacks_keep_their_signal_only() -> None:
    body = (
        "It fails:\n```python\nimport torch\nx = torch.zeros(10**9, device='cuda')\n"
        "Traceback (most recent call last):\n  File \"/home/me/app/run.py\", line 12, in <module>\n"
        "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 GiB\n```\n"
    )
    text = normalize_body(body).lower()
    assert "outofmemoryerror" in text
    assert "out of memory" in text
    assert "cuda" in text
    assert "torch.zeros" not in text
    assert "/home/me" not in text


def test_unfenced_traceback_frames_are_dropped_but_the_exception_stays() -> None:
    body = ('Traceback (most recent call last):\n  File "/usr/lib/x.py", line 3, in f\n'
            "ModuleNotFoundError: No module named 'transformers'\n")
    text = normalize_body(body)
    assert "ModuleNotFoundError" in text
    assert "transformers" in text
    assert "/usr/lib" not in text


def test_urls_become_host_tokens_and_images_a_marker() -> None:
    text = normalize_body("see https://huggingface.co/openai/whisper-large and "
                          "![shot](https://user-images.githubusercontent.com/1/a.png) and https://example.org/x")
    assert "urlhf" in text
    assert "screenshot" in text
    assert "urlother" in text
    assert "http" not in text


def test_module_missing_in_code_block_is_kept() -> None:
    assert "no module named 'onnxruntime" in normalize_body("```\nNo module named 'onnxruntime'\n```").lower()


def test_title_loses_bracket_markup_only() -> None:
    assert normalize_title("[Bug]: **CUDA** error `x`") == "Bug : CUDA error x"


def test_control_characters_and_binary_junk_are_harmless() -> None:
    text = normalize_body("ok\x00\x01\x7f\ufffd body")
    assert "\x00" not in text and "\ufffd" not in text
    assert "body" in text


def test_huge_bodies_are_bounded() -> None:
    assert len(normalize_body("word " * 1_000_000)) <= MAX_OUTPUT_CHARS
    assert len(normalize_title("t" * 100_000)) <= 1_000


def test_empty_input_gives_empty_text() -> None:
    assert normalize_body("") == ""
    assert normalize_title("") == ""
