#!/usr/bin/env python3
"""Writes the Jupyter notebook of one `gradflow reproduce ID` run (unexecuted).

Usage: python3 python/make_notebook.py --data DIR --output NOTEBOOK [--final PATH]

DIR is the output directory of `gradflow reproduce` (it holds reproduction.json,
summary.csv, series/ and runs/). The notebook's cells read those files when executed:
no number is written into the notebook by this script. The data directory is found from
the environment variable GRADFLOW_REPRODUCE_DATA, else from DIR relative to the notebook's
final location (--final, default --output), so that the committed notebook can be
re-executed against a fresh run. `gradflow reproduce` then executes it with
`jupyter nbconvert --to notebook --execute --inplace`.
"""
import argparse
import json
import os
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

SETUP = r'''
import csv
import json
import os
import platform

import matplotlib
import numpy as np
from matplotlib import pyplot as plt
from IPython.display import Markdown, display

%matplotlib inline
plt.rcParams.update({"figure.dpi": 72, "savefig.dpi": 72, "figure.figsize": (6.4, 4.0), "font.size": 10})

DATA = os.environ.get("GRADFLOW_REPRODUCE_DATA", @DATA@)
with open(os.path.join(DATA, "reproduction.json"), encoding="utf-8") as f:
    manifest = json.load(f)


def read_csv(path):
    """The `# key=value` header as a dict and the table as a list of dicts of strings."""
    meta, lines = {}, []
    with open(os.path.join(DATA, path), encoding="utf-8") as f:
        for line in f:
            if line.startswith("# "):
                key, _, value = line[2:].rstrip("\n").partition("=")
                meta[key] = value
            else:
                lines.append(line)
    return meta, list(csv.DictReader(lines))


def read_series(path):
    meta, rows = read_csv(path)
    columns = {k: np.array([float(r[k]) for r in rows]) for k in ("x", "mean", "min", "max")}
    return meta, columns


def plot_figure(spec):
    fig, ax = plt.subplots()
    for s in spec["series"]:
        meta, c = read_series(s["file"])
        color = {"color": f"C{s['color']}"} if s.get("color") is not None else {}
        if s["style"] == "bound":
            ax.plot(c["x"], c["mean"], "--", lw=1.2, label=s["label"], **color)
        elif s["style"] == "scatter":
            ax.plot(c["x"], c["mean"], "o", ms=2.5, alpha=0.6, label=s["label"], **color)
        else:
            seeds = int(meta.get("seeds", "1"))
            line, = ax.plot(c["x"], c["mean"], lw=1.6, label=s["label"] + (f" (mean of {seeds} seeds)" if seeds > 1 else ""), **color)
            if seeds > 1:
                ax.fill_between(c["x"], c["min"], c["max"], color=line.get_color(), alpha=0.2, lw=0)
    ax.set_xscale(spec["x_scale"])
    ax.set_yscale(spec["y_scale"])
    ax.set_xlabel(spec["x_label"])
    ax.set_ylabel(spec["y_label"])
    ax.set_title(spec["title"], fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    plt.show()


print("command:", manifest["command"])
print()
width = max(len(k) for k, _ in manifest["parameters"]) if manifest["parameters"] else 0
for key, value in manifest["parameters"]:
    print(f"  {key:<{width}}  {value}")
print()
print("versions:", ", ".join(f"{k} {v}" for k, v in sorted(manifest["versions"].items())),
      f"| python {platform.python_version()}, numpy {np.__version__}, matplotlib {matplotlib.__version__}")
'''

CHOICES = r'''
lines = ["**Source.** " + manifest["source"], "", "**Choices where the paper is silent or garbled:**", ""]
lines += ["- " + c for c in manifest["choices"]] or ["- none"]
if manifest["commands"]:
    lines += ["", f"**Runs.** {len(manifest['commands'])} `gradflow compare` commands write the same per-run files under `runs/` "
              "(the first is shown; the others differ in the seed or width):", "", "```", manifest["commands"][0], "```"]
else:
    lines += ["", "**Runs.** None: `gradflow reproduce` computes the numbers itself (a closed form, or data drawn from the seed)."]
display(Markdown("\n".join(lines)))
'''

TABLE = r'''
meta, rows = read_csv(manifest["summary"])
md = ["| quantity | the paper says | GradFlow measured | verdict |", "|---|---|---|---|"]
for r in rows:
    md.append(f"| {r['quantity']} | {r['paper']} | {r['measured']} | {r['verdict']} |")
display(Markdown("\n".join(md)), metadata={"gradflow_summary": rows})
'''

VERDICT = r'''
disagreeing = [r["quantity"] for r in rows if r["verdict"] == "disagrees"]
if disagreeing:
    text = ("**GradFlow disagrees with the paper** on: " + "; ".join(disagreeing) + ".\n\n"
            + "**Why.** " + (manifest.get("disagreement") or "(no explanation recorded)"))
else:
    text = "GradFlow's measurements agree with every claim of the paper in the table above."
display(Markdown(text))
'''


def build(data, final):
    manifest = json.load(open(os.path.join(data, "reproduction.json"), encoding="utf-8"))
    relative = os.path.relpath(os.path.abspath(data), os.path.dirname(os.path.abspath(final)))
    cells = [
        new_markdown_cell(f"# {manifest['id']}: {manifest['title']}\n\n"
                          "Made by `gradflow reproduce`: its data files hold every number below; "
                          "`python/make_notebook.py` wrote these cells, which read them. "
                          "Set `GRADFLOW_REPRODUCE_DATA` to re-execute against another run's output directory."),
        new_code_cell(SETUP.replace("@DATA@", repr(relative)).strip()),
        new_code_cell(CHOICES.strip()),
    ]
    for k, figure in enumerate(manifest["figures"]):
        cells.append(new_markdown_cell(f"## Figure {k + 1}: {figure['title']}"))
        cells.append(new_code_cell(f'plot_figure(manifest["figures"][{k}])'))
    cells.append(new_markdown_cell("## The paper says / GradFlow measured"))
    cells.append(new_code_cell(TABLE.strip()))
    cells.append(new_code_cell(VERDICT.strip()))
    # Stable cell ids (nbformat draws random ones), so that a remade notebook differs only
    # where its outputs do.
    for k, cell in enumerate(cells):
        cell["id"] = f"cell-{k:02d}"
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "gradflow": {"reproduction": manifest["id"], "scale": manifest["scale"]},
    })
    nbformat.validate(nb)
    return nb


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--final", help="where the notebook will live (for the relative data path)")
    args = parser.parse_args()
    try:
        nb = build(args.data, args.final or args.output)
    except (OSError, ValueError, KeyError) as e:
        print(f"make_notebook: cannot read {args.data}: {e}", file=sys.stderr)
        return 1
    with open(args.output, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
