"""The commands beside the usage view; each module is imported only when it is run."""

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from types import ModuleType

#: name -> (module, one-line help), in the order ``--help`` lists them.
COMMANDS = {
    "auth": ("auth", "show or set up how each provider connects"),
    "key": ("key", "show, store or delete credentials vibeusage keeps"),
    "status": ("status", "each provider's service status page"),
    "config": ("config_cmd", "show, locate, reset or edit the configuration"),
    "cache": ("cache_cmd", "show or clear cached snapshots and back-off state"),
    "history": ("history", "record usage over time; show trends and events; export"),
    "guard": ("guard", "exit 0/1/69 by the quota left, for scripts and agent loops"),
    "doctor": ("doctor", "diagnose the set-up (safe to paste in a bug report)"),
    "completion": ("completion", "print a shell completion script"),
    "watch": ("watch", "a live view that refreshes itself in the terminal"),
    "alert": ("alert", "tell once when a window crosses a threshold (for cron)"),
    "statusline": ("statusline", "one line for prompts, tmux and status bars; Claude Code's hook"),
}


def load(name: str) -> "ModuleType":
    """The module implementing command ``name`` (``__import__`` relative to this package, as
    importlib's ``import_module`` would, without importing importlib at start-up)."""
    module: ModuleType = __import__(COMMANDS[name][0], globals(), None, ("run",), 1)
    return module
