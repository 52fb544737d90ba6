#!/usr/bin/env python3
"""ABI guard for libember.so (issue 7).

Checks, on a built library:
  1. only ember_* symbols are exported (dynamic symbol table, `nm -D --defined-only`);
  2. the exported functions are exactly the EMBER_API prototypes of include/ember/ember.h;
  3. against the committed list tests/abi/ember.abi (functions and enumerator values): nothing
     removed, no signature or value changed; additions must be recorded in the list (--update);
  4. versions agree: CMakeLists.txt `project(ember VERSION x.y.z)` is the source of truth;
     ember_version() of the library, pyproject.toml and conanfile.py must give the same
     version, and EMBER_API_VERSION must equal the minor version (onnxruntime's convention:
     every minor release may add functions and bumps the API version).

  python3 tests/abi/check_abi.py --lib build/release/libember.so            # check
  python3 tests/abi/check_abi.py --lib build/release/libember.so --update   # record additions

Signatures are normalised (no parameter names, one space between tokens, `T*`), so renaming
a parameter is not a change but changing a type is.
"""
import argparse
import ctypes
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADER = ROOT / "include/ember/ember.h"
ABI_LIST = Path(__file__).resolve().parent / "ember.abi"
UPDATE_HINT = "python3 tests/abi/check_abi.py --lib build/release/libember.so --update"
QUALIFIERS = {"const", "volatile", "struct", "enum", "union", "unsigned", "signed", "restrict"}


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def normalise_type(tokens):
    return re.sub(r" \*", "*", " ".join(tokens))


def normalise_param(param):
    tokens = re.findall(r"\.\.\.|\w+|\*|\[\]", param)
    if len(tokens) > 1 and re.fullmatch(r"\w+", tokens[-1]) and tokens[-1] not in QUALIFIERS:
        # Drop a trailing parameter name unless what is left is only qualifiers ("unsigned int").
        rest = tokens[:-1]
        if any(t == "*" or t not in QUALIFIERS for t in rest):
            tokens = rest
    return normalise_type(tokens)


def header_prototypes(header_text):
    """{name: normalised prototype} of every EMBER_API function declaration."""
    text = strip_comments(header_text)
    protos = {}
    for decl in re.findall(r"\bEMBER_API\s+([^;{#]*?\))\s*;", text):
        decl = " ".join(decl.split())
        m = re.fullmatch(r"(.*?)\b(ember_\w+)\s*\((.*)\)", decl)
        if not m:
            raise SystemExit(f"check_abi: cannot parse declaration: {decl}")
        ret, name, params = m.groups()
        ret = normalise_type(re.findall(r"\w+|\*", ret))
        plist = [normalise_param(p) for p in params.split(",")] if params.strip() else ["void"]
        protos[name] = f"{ret} {name}({', '.join(plist)})"
    return protos


def header_enumerators(header_text):
    """{name: "enum_type NAME = value"} of every enumerator in a `typedef enum {...} name;`:
    their values are part of the ABI too."""
    consts = {}
    for body, tname in re.findall(r"typedef\s+enum\s*\w*\s*\{(.*?)\}\s*(\w+)\s*;",
                                  strip_comments(header_text), re.S):
        value = -1
        for item in filter(None, (i.strip() for i in body.split(","))):
            name, _, expr = (x.strip() for x in item.partition("="))
            value = int(expr, 0) if expr else value + 1
            consts[name] = f"{tname} {name} = {value}"
    return consts


def exported_symbols(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", str(lib)], check=True,
                         capture_output=True, text=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            syms[parts[-1].split("@")[0]] = parts[-2]
    return syms


def read_list(path):
    """{name: (since, prototype)} of the committed list."""
    entries = {}
    if not path.exists():
        return entries
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, since, proto = line.split("\t")
        entries[name] = (int(since), proto)
    return entries


def write_list(path, entries):
    lines = ["# C ABI of libember.so: name <TAB> API version that added it <TAB> normalised prototype",
             "# or enumerator value. Checked by tests/abi/check_abi.py (make test-packaging); entries are only",
             f"# ever added. Regenerate after adding a function: {UPDATE_HINT}"]
    for name in sorted(entries):
        since, proto = entries[name]
        lines.append(f"{name}\t{since}\t{proto}")
    path.write_text("\n".join(lines) + "\n")


def project_version():
    m = re.search(r"project\(\s*ember\s+VERSION\s+([0-9]+\.[0-9]+\.[0-9]+)", (ROOT / "CMakeLists.txt").read_text())
    if not m:
        raise SystemExit("check_abi: no `project(ember VERSION x.y.z` in CMakeLists.txt")
    return m.group(1)


def pyproject_version():
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        return None, "tomllib unavailable (Python < 3.11), pyproject.toml not checked"
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    if "version" in data.get("project", {}):
        return data["project"]["version"], None
    meta = data.get("tool", {}).get("scikit-build", {}).get("metadata", {}).get("version", {})
    if "version" not in data["project"].get("dynamic", []) or not meta.get("input"):
        return None, "pyproject.toml has neither project.version nor a version metadata provider"
    m = re.search(meta["regex"], (ROOT / meta["input"]).read_text(), re.M)
    return (m.group("value") if m else None), None


def conanfile_version():
    text = (ROOT / "conanfile.py").read_text()
    m = re.search(r"^\s*version\s*=\s*[\"']([^\"']+)[\"']", text, re.M)
    if m:
        return m.group(1)
    # The recipe reads CMakeLists.txt in set_version(); run its helper without Conan.
    ns = {}
    helper = re.search(r"^(def _ember_version\(.*?)(?=^\S)", text, re.M | re.S)
    if not helper:
        return None
    exec(compile("import os, re\n" + helper.group(1), "conanfile.py", "exec"), ns)
    return ns["_ember_version"](str(ROOT))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", required=True, help="path of the built libember.so")
    ap.add_argument("--update", action="store_true", help="record new functions in the list")
    ap.add_argument("--allow-break", action="store_true",
                    help="with --update: also accept removed/changed functions (a major version only)")
    args = ap.parse_args()

    errors = []
    header_text = HEADER.read_text()
    protos = header_prototypes(header_text)
    enums = header_enumerators(header_text)
    syms = exported_symbols(args.lib)
    print(f"check_abi: {args.lib}: {len(syms)} exported symbols, {len(protos)} prototypes and "
          f"{len(enums)} enumerators in ember.h")

    foreign = sorted(s for s in syms if not s.startswith("ember_"))
    if foreign:
        errors.append("libember.so exports non-ember_* symbols (the version script or "
                      "-fvisibility=hidden is not applied?): " + ", ".join(foreign[:20]) +
                      (f" ... ({len(foreign)} in all)" if len(foreign) > 20 else ""))
    ember_syms = {s for s in syms if s.startswith("ember_")}
    for s in sorted(ember_syms - protos.keys()):
        errors.append(f"{s} is exported but not declared with EMBER_API in include/ember/ember.h")
    for s in sorted(protos.keys() - ember_syms):
        errors.append(f"{s} is declared in include/ember/ember.h but not exported by the library")

    m = re.search(r"#define\s+EMBER_API_VERSION\s+(\d+)", header_text)
    api_version = int(m.group(1)) if m else None
    version = project_version()
    lib = ctypes.CDLL(str(Path(args.lib).resolve()))
    lib.ember_version.restype = ctypes.c_char_p
    lib_version = lib.ember_version().decode()
    print(f"check_abi: package version {version} (CMakeLists.txt), ember_version() {lib_version}, "
          f"EMBER_API_VERSION {api_version}")
    if lib_version != version:
        errors.append(f"ember_version() returns {lib_version}, CMakeLists.txt says {version} (stale build?)")
    if api_version != int(version.split(".")[1]):
        errors.append(f"EMBER_API_VERSION is {api_version} but the package version is {version}: "
                      "EMBER_API_VERSION must equal the minor version (bump both together)")
    py_version, note = pyproject_version()
    if note:
        print(f"check_abi: note: {note}")
    elif py_version != version:
        errors.append(f"pyproject.toml gives version {py_version}, CMakeLists.txt {version}")
    conan_version = conanfile_version()
    if conan_version != version:
        errors.append(f"conanfile.py gives version {conan_version}, CMakeLists.txt {version}")

    recorded = read_list(ABI_LIST)
    surface = {**protos, **enums}
    removed = sorted(recorded.keys() - surface.keys())
    changed = sorted(n for n in recorded.keys() & surface.keys() if recorded[n][1] != surface[n])
    added = sorted(surface.keys() - recorded.keys())
    breaks = [f"{n} was removed (it was: {recorded[n][1]})" for n in removed]
    breaks += [f"{n} changed:\n      was: {recorded[n][1]}\n      now: {surface[n]}" for n in changed]

    if args.update:
        if breaks and not args.allow_break:
            errors += breaks
            errors.append("refusing to --update over removed or changed functions; the C ABI only "
                          "grows (DESIGN.md). Add a new function instead, or pass --allow-break "
                          "for a deliberate major-version break")
        elif not errors:
            entries = {n: recorded.get(n, (api_version, surface[n])) for n in surface}
            for n in changed:
                entries[n] = (api_version, surface[n])
            write_list(ABI_LIST, entries)
            print(f"check_abi: wrote {ABI_LIST.relative_to(ROOT)} ({len(entries)} entries; "
                  f"added: {', '.join(added) or 'none'})")
    else:
        errors += [b + "\n    The C ABI only grows (DESIGN.md): keep the old function and add a new "
                   "one. A deliberate break (new major version): " + UPDATE_HINT + " --allow-break"
                   for b in breaks]
        if added:
            errors.append("new functions/enumerators not yet in tests/abi/ember.abi: " + ", ".join(added) +
                          f"\n    If they are meant to be public, record them: {UPDATE_HINT}"
                          " and commit tests/abi/ember.abi")
    if errors:
        print("check_abi: FAILED", file=sys.stderr)
        for e in errors:
            print("  - " + e, file=sys.stderr)
        return 1
    print(f"check_abi: ok ({len(protos)} functions, {len(enums)} enumerators, only ember_* exported, versions agree)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
