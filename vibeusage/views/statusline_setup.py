"""Text of ``statusline install | uninstall | status`` (pure: data in, text out)."""

from typing import Any, Dict, Optional


def changed_text(
    action: str, summary: str, settings_file: str, backup: Optional[str], previous: Optional[str]
) -> str:
    """What install or uninstall just did, and where the backup is."""
    lines = [f"{summary[:1].upper()}{summary[1:]}: {settings_file}"]
    if backup:
        lines.append(f"Backup of the previous file: {backup}")
    if action == "install" and previous:
        lines.append(f"Your previous statusLine command still runs after the capture: {previous}")
    if action == "install":
        lines.append("Claude Code picks the change up at its next status line update.")
    return "\n".join(lines) + "\n"


def status_text(document: Dict[str, Any]) -> str:
    """``statusline status`` for people."""
    installed = "yes" if document["installed"] else "no"
    lines = [
        f"settings file:   {document['settings_file']}",
        f"installed:       {installed}",
        f"command:         {document['command'] or '-'}",
    ]
    if document["chained_command"]:
        lines.append(f"chained command: {document['chained_command']}")
    lines.append(f"capture file:    {document['capture_file']}")
    lines.append(f"capture updated: {document['capture_updated_at'] or 'never'}")
    for key, window in document["windows"].items():
        lines.append(
            f"  {key}: {window['used_percent']:g}% used, resets {window['resets_at']}, "
            f"observed {window['observed_at']}"
        )
    for warning in document["warnings"]:
        lines.append(f"warning: {warning}")
    return "\n".join(lines) + "\n"
