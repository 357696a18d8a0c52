"""The effective configuration in a few lines, for `check-config` and the config check run."""

from __future__ import annotations

from bot.repo_config.model import COMMENT_PARTS, RepoConfig


def summary_lines(config: RepoConfig) -> list[str]:
    """The effective configuration in a few lines, for `check-config` and the config check run."""

    def threshold(value: float | None) -> str:
        return "from the policy" if value is None else f"{value:g} (expert override)"

    enabled = [s for s, c in config.categories.items() if c.enabled]
    disabled = [s for s, c in config.categories.items() if not c.enabled]
    triggers = [name for name in ("opened", "reopened") if getattr(config.triggers, name)]
    if config.triggers.edited_within_minutes:
        triggers.append(f"edited within {config.triggers.edited_within_minutes} minutes of opening")
    skips = ["bot authors"] if config.skip_bots else []
    skips += [f"authors {', '.join(config.skip_authors)}"] if config.skip_authors else []
    skips += [f"issues labeled {', '.join(config.skip_labels)}"] if config.skip_labels else []
    comment = "off"
    if config.comment.enabled:
        comment = "on" + (", custom intro" if config.comment.intro else "")
        comment += ", deleted when the label is rejected" if config.comment.delete_on_reject else ""
        off = [part for part in COMMENT_PARTS if not getattr(config.comment, part)]
        comment += f", without {', '.join(off)}" if off else ""
        comment += ", similar issues across repositories" if config.comment.similar_across_repositories else ""
    lines = [
        f"enabled: {'yes' if config.enabled else 'no (the bot does nothing here)'}",
        f"dry run: {'yes (nothing is written)' if config.dry_run else 'no'}",
        f"PTM label: {config.ptm_label_name or 'none'}",
        "category labels: " + (", ".join(f"{s} -> {config.label_for(s)}" for s in enabled) or "none"),
    ]
    if disabled:
        lines.append(f"disabled categories: {', '.join(disabled)}")
    return [
        *lines,
        f"policy: {config.policy}" + "".join(
            f"; {key.replace('_', ' ')} precision {value:g}"
            for key, value in vars(config.precision).items() if value is not None),
        f"thresholds: PTM {threshold(config.ptm_threshold)}; category {threshold(config.category_threshold)}",
        f"comment: {comment}",
        f"skipped: {'; '.join(skips) or 'nothing'}",
        f"triggers: {', '.join(triggers) or 'none'}",
    ]
