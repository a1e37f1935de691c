"""What to generate per release line and config file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dfschema.model import GenError
from dfschema.notes import NOTES_V21, NOTES_V25, FieldNote, NoteKey


@dataclass(frozen=True)
class GoProfile:
    """One Go config file: root struct and the composite literal holding its defaults."""

    name: str
    title: str
    root_pkg: str
    root_type: str
    defaults_file: str
    defaults_marker: str
    root_command: str
    yaml_strict: bool
    config_path: str


@dataclass(frozen=True)
class RustProfile:
    """One Rust (serde) config file of the client repository."""

    name: str
    title: str
    root_file: str
    root_type: str
    config_path: str


@dataclass(frozen=True)
class Line:
    """A Dragonfly release line (v2.1, v2.5): its files, notes and (optionally) Rust client."""

    name: str
    repo: str
    product: str
    go_profiles: tuple[GoProfile, ...]
    notes: dict[NoteKey, FieldNote]
    cobra_flags_file: str = "cmd/dependency/dependency.go"
    rust_profiles: tuple[RustProfile, ...] = ()
    client_repo: str = ""
    client_submodule: str = ""
    extra: tuple[str, ...] = field(default=())


def _manager(defaults_marker: str = r"return &Config\{") -> GoProfile:
    return GoProfile(
        name="manager",
        title="Dragonfly manager configuration (manager.yaml)",
        root_pkg="manager/config",
        root_type="Config",
        defaults_file="manager/config/config.go",
        defaults_marker=defaults_marker,
        root_command="manager",
        yaml_strict=False,
        config_path="/etc/dragonfly/manager.yaml",
    )


def _scheduler() -> GoProfile:
    return GoProfile(
        name="scheduler",
        title="Dragonfly scheduler configuration (scheduler.yaml)",
        root_pkg="scheduler/config",
        root_type="Config",
        defaults_file="scheduler/config/config.go",
        defaults_marker=r"return &Config\{",
        root_command="scheduler",
        yaml_strict=False,
        config_path="/etc/dragonfly/scheduler.yaml",
    )


DFGET = GoProfile(
    name="dfget",
    title="Dragonfly dfget daemon / seed peer configuration (dfget.yaml)",
    root_pkg="client/config",
    root_type="DaemonOption",
    defaults_file="client/config/peerhost_linux.go",
    defaults_marker=r"return &DaemonOption\{",
    root_command="dfget",
    yaml_strict=True,
    config_path="/etc/dragonfly/dfget.yaml",
)

DFDAEMON = RustProfile(
    name="dfdaemon",
    title="Dragonfly Rust client daemon configuration (dfdaemon.yaml)",
    root_file="dragonfly-client-config/src/dfdaemon.rs",
    root_type="Config",
    config_path="/etc/dragonfly/dfdaemon.yaml",
)

LINES: dict[str, Line] = {
    "v2.1": Line(
        name="v2.1",
        repo="dragonflyoss/Dragonfly2",
        product="Dragonfly2",
        go_profiles=(_manager(), _scheduler(), DFGET),
        notes=NOTES_V21,
    ),
    "v2.5": Line(
        name="v2.5",
        repo="dragonflyoss/dragonfly",
        product="Dragonfly",
        go_profiles=(_manager(), _scheduler()),
        notes=NOTES_V25,
        rust_profiles=(DFDAEMON,),
        client_repo="dragonflyoss/client",
        client_submodule="client",
        extra=("preheat-job",),
    ),
}


def line_for_tag(tag: str) -> Line:
    """Return the release line of a Dragonfly tag such as v2.1.28 or v2.5.1."""
    match = re.fullmatch(r"(v\d+\.\d+)\.\d+", tag)
    if not match or match.group(1) not in LINES:
        raise GenError(f"no profiles for tag {tag!r}; known lines: {', '.join(LINES)}")
    return LINES[match.group(1)]
