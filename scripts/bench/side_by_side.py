#!/usr/bin/env python3
"""GradFlow side by side with numpy/scipy on the same problem, one BLAS thread.

  python3 scripts/bench/side_by_side.py discrete [--size medium] [--iterations 100]
  python3 scripts/bench/side_by_side.py flow --size small --flow hbf [--T 50] [--budget 600]
  python3 scripts/bench/side_by_side.py growth [--T 20]
  python3 scripts/bench/side_by_side.py kinetic [--budget 120]   (small/medium HBF T=50 and growth: kinetic
                                                                   against exact pieces and scipy RK45)
  python3 scripts/bench/side_by_side.py sliding [--budget 600] [--peer-budget 300] [--prefix 0.5]
                                                                  (gradient flow through Filippov sliding,
                                                                   item 2: medium and small to T=50, kinetic against
                                                                   exact pieces, GSL events and scipy RK45)
  python3 scripts/bench/side_by_side.py wide [--peer-budget 300]  (n=64, d=10, m=100000 HBF to T=20 with
                                                                   --solver kinetic: wall, peak memory; scipy RK45)
Every timed row carries the 1-minute load average read when the run started (the machine
is shared; figures taken under load are slower).
  python3 scripts/bench/side_by_side.py all

The problem is the peers' construction (problem.py here is a copy of
../shared/peers/problem.py, so that CI needs only this repository). GradFlow reads it from
CSVs (--data, --weights, --output-weights). Timings: numpy/scipy time their own loops with
perf_counter; GradFlow's figure is the `wall_seconds` of its JSON summary (the run only, no
CSV parsing). Ratios are peer / GradFlow (> 1: GradFlow faster). Build GradFlow first with
`swift build -c release`. numpy and scipy are installed with pip when missing.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

try:
    import numpy as np
    import scipy  # noqa: F401
except ImportError:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--user", "numpy", "scipy"])
    import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from problem import SIZES, empirical_ntk, lambda0, make_problem, write_csvs  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = os.environ.get("GRADFLOW_BENCH_DIR") or os.path.join(tempfile.gettempdir(), "gradflow-bench")


def gradflow_binary(path):
    if path:
        return path
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.strip()
    return os.path.join(out, "gradflow")


def problem_args(size, seed=0):
    n, d, m = SIZES[size]
    directory = write_csvs(os.path.join(WORK, f"{size}-{seed}"), n, d, m, seed)
    return ["--data", f"{directory}/data.csv", "--weights", f"{directory}/W0.csv",
            "--output-weights", f"{directory}/a.csv"]


def load_average():
    return os.getloadavg()[0]


def peak_memory(result):
    """The 'peak memory N MiB' of a gradflow summary line, or None."""
    import re
    text = (result.stdout + result.stderr) if result else ""
    found = re.search(r"peak memory ([0-9.]+) MiB", text)
    return float(found.group(1)) if found else None


def run_gradflow(binary, args, timeout=None):
    """Runs gradflow; returns (json summary or None, process wall seconds)."""
    t0 = time.perf_counter()
    try:
        r = subprocess.run([binary] + args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - t0
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        print(r.stderr.strip()[:400], file=sys.stderr)
        return None, wall
    return r, wall


# ---------------------------------------------------------------- discrete methods

class Model:
    """numpy gradient on W^T (d x m), as ../shared/peers/problem.py Model (2 GEMMs)."""

    def __init__(self, X, y, a):
        self.X, self.XT, self.y = np.ascontiguousarray(X), X.T, y
        n, _ = X.shape
        m = a.shape[0]
        self.a, self.s = a, 1.0 / math.sqrt(m)
        self.as_row = (a * self.s)[None, :]
        self.Z, self.R = np.empty((n, m)), np.empty((n, m))
        self.GT = np.empty((X.shape[1], m))

    def grad(self, WT):
        Z, R = self.Z, self.R
        np.matmul(self.X, WT, out=Z)
        np.maximum(Z, 0.0, out=R)
        delta = (R @ self.a) * self.s - self.y
        np.greater_equal(Z, 0.0, out=R)
        R *= delta[:, None]
        np.matmul(self.XT, R, out=self.GT)
        self.GT *= self.as_row
        return self.GT, 0.5 * float(delta @ delta)


def numpy_discrete(X, y, W0, a, eta, beta, N):
    """Seconds per iteration of N GD (beta = 0) or HB iterations, and the final loss L(W_N)."""
    model = Model(X, y, a)
    W = W0.T.copy()
    W_prev = W.copy()
    t0 = time.perf_counter()
    for _ in range(N):
        G, _ = model.grad(W)
        if beta == 0.0:
            W -= eta * G
        else:
            step = W - W_prev
            W_prev[...] = W
            W -= eta * G
            W += beta * step
    per_iteration = (time.perf_counter() - t0) / N
    _, final_loss = model.grad(W)
    return per_iteration, final_loss


def discrete(args, binary, loss_tolerance=1e-8):
    """GD and HB with the peers' eta = 1/lambda_max(H0), beta = (1 - 1/(2 sqrt(kappa)))^2, on the
    small problem and on --size, N iterations each. GradFlow runs `compare --iterations N
    --points 2`: monitors at k = 0 and k = N only (the minimum loss and k to eps still come from
    every iterate); on the ReLU network GD and HB run the kinetic iterator (dense iterations
    first, while many pairs are near their kinks). Its figure is the JSON wall_seconds / N,
    which includes building the iterator and the two samples. The final losses must agree
    with numpy's within `loss_tolerance` relative, or within the rounding floor of
    L = ½‖f(W) − y‖², 1e-12·√(2L) (rounding differs: the kinetic iterator sums in another
    order)."""
    rows = []
    N = args.iterations
    for size in dict.fromkeys(("small", args.size)):
        n, d, m = SIZES[size]
        X, y, W0, a = make_problem(n, d, m, args.seed)
        ev = np.linalg.eigvalsh(empirical_ntk(X, W0))
        eta = float(1.0 / ev[-1])
        beta = float((1.0 - 1.0 / (2.0 * math.sqrt(ev[-1] / ev[0]))) ** 2)
        for name, b, time_per_step in (("gd", 0.0, eta), ("hb", beta, math.sqrt(eta))):
            load = load_average()
            peer, peer_loss = numpy_discrete(X, y, W0, a, eta, b, N)
            method = f"gd:eta={eta!r}" if name == "gd" else f"hb:eta={eta!r}:beta={beta!r}"
            out = os.path.join(WORK, f"discrete-{size}-{name}")
            r, _ = run_gradflow(binary, ["compare"] + problem_args(size, args.seed)
                                + ["--flows", "none", "--methods", method, "--iterations", str(N), "--points", "2",
                                   "--t-end", repr(float(N * time_per_step)), "--jobs", "1", "--output", out])
            js = json.load(open(f"{out}/{name}.json")) if r else None
            ours = js["wall_seconds"] / js["steps"] if js else float("nan")
            flips = ((js or {}).get("switching") or {}).get("events")
            ours_loss = float("nan")
            if r:
                with open(f"{out}/rates.csv") as f:
                    header, values = f.readline().strip().split(","), f.readline().strip().split(",")
                ours_loss = float(values[header.index("final_loss")])
            difference = abs(ours_loss - peer_loss) / peer_loss if peer_loss > 0 else float("nan")
            # Rounding floor of L = ½‖Δ‖²: Δ = f(W) − y is formed from O(1) terms, so each run's
            # Δ carries an absolute error of about 1e-14 per entry and L one of
            # ‖Δ‖·‖δΔ‖ ≤ 1e-12·√(2L) (the same floor as the kinetic iteration tests).
            floor = 1e-12 * math.sqrt(2 * max(peer_loss, ours_loss))
            verdict = ("agree" if difference <= loss_tolerance
                       else "agree at the rounding floor" if abs(ours_loss - peer_loss) <= floor
                       else "DISAGREE")
            rows.append((f"{size} {name}, {N} iterations", f"numpy, load {load:.1f}", peer * 1e3, ours * 1e3, peer / ours,
                         f"{flips} flips; final loss numpy {peer_loss:.6e}, gradflow {ours_loss:.6e}: rel diff "
                         f"{difference:.1e} ({verdict} within {loss_tolerance:g})"))
    return rows


# ---------------------------------------------------------------- continuous flows

def scipy_flow(X, y, W0, a, flow, T, rtol, atol, method, budget, samples=101):
    """scipy RK45/DOP853 on the flattened W^T (and V); losses at `samples` even times."""
    from scipy.integrate import DOP853, RK45
    model = Model(X, y, a)
    n, d = X.shape
    m = a.shape[0]
    md = m * d
    b = math.sqrt(2.0 * lambda0(X))
    gamma = 3.0

    def loss(WT):
        f = np.maximum(X @ WT, 0.0) @ a / math.sqrt(m)
        return 0.5 * float((f - y) @ (f - y))

    if flow == "gd":
        def rhs(t, s):
            G, _ = model.grad(s.reshape(d, m))
            return -G.ravel()
        s0 = W0.T.ravel().copy()
    else:
        def rhs(t, s):
            V = s[md:]
            G, _ = model.grad(s[:md].reshape(d, m))
            out = np.empty_like(s)
            out[:md] = V
            if flow == "hbf":
                out[md:] = -b * V - G.ravel()
            elif t == 0.0:
                out[md:] = -G.ravel() / (1.0 + gamma)
            else:
                out[md:] = -gamma / t * V - G.ravel()
            return out
        s0 = np.concatenate([W0.T.ravel(), np.zeros(md)])
    t_eval = np.linspace(0.0, T, samples)
    solver = {"RK45": RK45, "DOP853": DOP853}[method](rhs, 0.0, s0, T, rtol=rtol, atol=atol)
    losses = [loss(W0.T)]
    k = 1
    t0 = time.perf_counter()
    while solver.status == "running":
        solver.step()
        if solver.status == "failed":
            break
        if k < samples and t_eval[k] <= solver.t:
            sol = solver.dense_output()
            while k < samples and t_eval[k] <= solver.t:
                losses.append(loss(sol(t_eval[k])[:md].reshape(d, m)))
                k += 1
        if budget and time.perf_counter() - t0 > budget:
            break
    return {"wall_s": time.perf_counter() - t0, "t_reached": float(solver.t), "nfev": int(solver.nfev),
            "t_samples": list(t_eval[:len(losses)]), "loss_samples": losses}


def gradflow_losses(prefix):
    rows = [line for line in open(prefix + ".csv") if not line.startswith("#")]
    header = rows[0].strip().split(",")
    data = np.array([[float(v) for v in line.strip().split(",")] for line in rows[1:]])
    return data[:, header.index("t")], data[:, header.index("loss")]


def max_relative_difference(losses, reference, floor=1e-12):
    k = min(len(losses), len(reference))
    a, r = np.array(losses[:k]), np.array(reference[:k])
    ok = r > floor
    return float(np.max(np.abs(a[ok] - r[ok]) / r[ok])) if ok.any() else float("nan")


def flow_run(args, binary):
    n, d, m = SIZES[args.size]
    X, y, W0, a = make_problem(n, d, m, args.seed)
    flowname = {"gd": "gradient-flow", "hbf": "hbf", "nag": "nesterov"}[args.flow]
    out = os.path.join(WORK, f"flow-{args.size}-{args.flow}")
    extra = args.extra.split() if args.extra else []
    r, process_wall = run_gradflow(binary, ["simulate", "--flow", flowname] + problem_args(args.size, args.seed)
                                   + ["--t-start", "0", "--t-end", repr(args.T), "--points", "101",
                                      "--output", out] + extra, timeout=args.budget or None)
    if r:
        js = json.load(open(out + ".json"))
        ours, events = js["wall_seconds"], (js.get("switching") or {}).get("events")
        _, our_losses = gradflow_losses(out)
    else:
        ours, events, our_losses = float("nan"), None, []
    peer = scipy_flow(X, y, W0, a, args.flow, args.T, args.rtol, args.atol, args.method, args.budget)
    note = f"gradflow {'T=' + repr(args.T) if r else 'stopped at budget ' + repr(args.budget)}, {events} switches; " \
           f"scipy reached t={peer['t_reached']:.3g}, nfev {peer['nfev']}; max rel loss diff " \
           f"{max_relative_difference(our_losses, peer['loss_samples']):.2e}"
    if args.reference:
        json.dump(peer, open(args.reference, "w"))
    return [(f"{args.size} {args.flow} to T={args.T}", f"scipy {args.method} rtol {args.rtol}",
             peer["wall_s"], ours, peer["wall_s"] / ours, note)]


def growth(args, binary, solvers=("exact-pieces", "kinetic")):
    """HBF to T, d = 10, GradFlow's synthetic data: every (n, m) with each solver, in one run."""
    sizes = ((20, 2000), (40, 2000), (80, 2000), (20, 8000), (20, 32000))
    rows = {}
    for n, m in sizes:
        for solver in solvers:
            out = os.path.join(WORK, f"growth-{n}-{m}-{solver}")
            for stale in (out + ".json", out + ".csv"):
                if os.path.exists(stale):
                    os.remove(stale)
            load = load_average()
            r, _ = run_gradflow(binary, ["simulate", "--flow", "hbf", "--samples", str(n), "--dimension", "10",
                                         "--width", str(m), "--seed", "0", "--t-end", repr(args.T), "--points", "21",
                                         "--solver", solver, "--output", out], timeout=args.budget or None)
            if not r:
                rows[(n, m, solver)] = (float("nan"), None, load)
                continue
            js = json.load(open(out + ".json"))
            rows[(n, m, solver)] = (js["wall_seconds"], js["switching"]["events"], load)
    print(f"\nGrowth: HBF to T = {args.T}, d = 10, GradFlow synthetic data, seed 0, one BLAS thread")
    print("| n | m | solver | wall s | switches | ms per switch | switches per unit time | wall / (n=20,m=2000) |"
          " exact pieces / kinetic | load |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n, m in sizes:
        for solver in solvers:
            wall, events, load = rows[(n, m, solver)]
            base = rows[(20, 2000, solver)][0]
            per = wall / events * 1e3 if events else float("nan")
            ratio = ""
            if solver == "kinetic" and (n, m, "exact-pieces") in rows:
                ratio = f"{rows[(n, m, 'exact-pieces')][0] / wall:.1f}"
            print(f"| {n} | {m} | {solver} | {wall:.3f} | {events} | {per:.3f} | {(events or 0) / args.T:.0f} |"
                  f" {wall / base:.1f}x | {ratio} | {load:.2f} |")
    if "kinetic" in solvers:
        k = {key[:2]: value[0] for key, value in rows.items() if key[2] == "kinetic"}
        print(f"\nkinetic growth: n 80/20 = {k[(80, 2000)] / k[(20, 2000)]:.1f}x (goal < 8x), "
              f"m 32000/2000 = {k[(20, 32000)] / k[(20, 2000)]:.1f}x (goal < 16x)")
    return []


def wide(args, binary):
    """The wide network: n = 64, d = 10, m = 100,000 (the peers' construction), HBF to
    T = 20 with the kinetic solver; scipy RK45 on the same problem within --peer-budget."""
    T = 20.0
    n, d, m = SIZES["wide"]
    out = os.path.join(WORK, "wide-kinetic")
    load = load_average()
    r, process_wall = run_gradflow(binary, ["simulate", "--flow", "hbf"] + problem_args("wide", args.seed)
                                   + ["--t-start", "0", "--t-end", repr(T), "--points", "21", "--solver", "kinetic",
                                      "--output", out], timeout=args.budget or None)
    js = json.load(open(out + ".json")) if r else None
    ours = js["wall_seconds"] if js else float("nan")
    events = (js.get("switching") or {}).get("events") if js else None
    memory = peak_memory(r)
    X, y, W0, a = make_problem(n, d, m, args.seed)
    peer_load = load_average()
    peer = scipy_flow(X, y, W0, a, "hbf", T, args.rtol, args.atol, "RK45", args.peer_budget, samples=21)
    done = peer["t_reached"] >= T
    print(f"\nWide network: n = {n}, d = {d}, m = {m}, HBF to T = {T}, one BLAS thread")
    print("| solver | wall s | reached | switches | ms per switch | peak memory MiB | load |")
    print("|---|---|---|---|---|---|---|")
    per = ours / events * 1e3 if events else float("nan")
    print(f"| gradflow --solver kinetic | {ours:.2f} | T = {T:g} | {events} | {per:.3f} | {memory} | {load:.2f} |")
    print(f"| scipy RK45 rtol {args.rtol} | {peer['wall_s']:.2f} | t = {peer['t_reached']:.3g}"
          f"{'' if done else ' (budget)'} | | | | {peer_load:.2f} |")
    if done and js:
        print(f"scipy / gradflow = {peer['wall_s'] / ours:.1f}")
    return []


def run_switching(binary, size, seed, solver, T, points, budget, name, extra=()):
    """gradflow simulate --flow gradient-flow with one switching solver; returns a dict with the
    summary (wall, switch counts, reached time, losses at the samples, peak memory, load)."""
    out = os.path.join(WORK, name)
    for stale in (out + ".json", out + ".csv"):
        if os.path.exists(stale):
            os.remove(stale)
    load = load_average()
    r, process_wall = run_gradflow(binary, ["simulate", "--flow", "gradient-flow"] + problem_args(size, seed)
                                   + ["--t-start", "0", "--t-end", repr(T), "--points", str(points), "--solver", solver,
                                      "--output", out] + (["--max-wall", repr(float(budget))] if budget else [])
                                   + list(extra))
    js = json.load(open(out + ".json")) if os.path.exists(out + ".json") else None
    if js is None:
        return {"solver": solver, "wall": float("nan"), "reached": 0.0, "losses": [], "load": load, "memory": None,
                "switching": {}}
    t, losses = gradflow_losses(out)
    sw = js.get("switching") or {}
    import re
    stopped = re.search(r"stopped at t = ([0-9.eE+-]+)", str(js.get("early_stop") or ""))
    reached = float(stopped.group(1)) if stopped else float(t[-1])
    return {"solver": solver, "wall": js["wall_seconds"], "reached": reached, "losses": list(losses), "load": load,
            "memory": peak_memory(r), "switching": sw}


def sliding(args, binary):
    """Gradient flow (002 eq. 4.3) through Filippov sliding.

    Medium (n = 256, d = 64, m = 4096, the peers' construction) to T = 50 with --solver kinetic
    (wall, switches, sliding entries/exits, peak memory), exact pieces within --budget and scipy
    RK45 within --peer-budget (how far each got); accuracy: kinetic against exact pieces on the
    prefix [0, --prefix] where exact pieces finishes, losses at 101 times. Small (n = 20, d = 10,
    m = 2000) to T = 50: kinetic, exact pieces, GSL events (rk8pd, rtol 1e-10) and scipy RK45;
    losses at 101 times against exact pieces. One BLAS thread; the load average with every figure."""
    T = args.T
    rows = []

    def row(size, run, reached_note=""):
        sw = run["switching"]
        done = run["reached"] >= T
        return (f"| {size} | gradflow --solver {run['solver']} | {run['wall']:.2f} | "
                f"{'T = %g' % T if done else 't = %.3g (budget)' % run['reached']} | {sw.get('events')} | "
                f"{sw.get('crossings')} / {sw.get('sliding_entries')} / {sw.get('sliding_exits')} | "
                f"{sw.get('max_sliding_pairs')} | {run['memory']} | {run['load']:.2f} |{reached_note}")

    header = ("| problem | solver | wall s | reached | switches | crossings / entries / exits | max sliding pairs"
              " | peak memory MiB | load |")
    print(f"\nGradient flow through Filippov sliding to T = {T:g}, one BLAS thread")
    print(header)
    print("|---|---|---|---|---|---|---|---|---|")
    accuracy = []
    # Medium.
    n, d, m = SIZES["medium"]
    kinetic_run = run_switching(binary, "medium", args.seed, "kinetic", T, 101, 0, "sliding-medium-kinetic")
    print(row("medium", kinetic_run), flush=True)
    pieces_run = run_switching(binary, "medium", args.seed, "exact-pieces", T, 101, args.budget or 600,
                               "sliding-medium-exact-pieces")
    print(row("medium", pieces_run), flush=True)
    X, y, W0, a = make_problem(n, d, m, args.seed)
    peer_load = load_average()
    peer = scipy_flow(X, y, W0, a, "gd", T, args.rtol, args.atol, "RK45", args.peer_budget)
    print(f"| medium | scipy RK45 rtol {args.rtol} | {peer['wall_s']:.2f} | t = {peer['t_reached']:.3g}"
          f"{'' if peer['t_reached'] >= T else ' (budget)'} | | | | | {peer_load:.2f} |", flush=True)
    t1 = args.prefix
    pk = run_switching(binary, "medium", args.seed, "kinetic", t1, 101, 0, "sliding-medium-prefix-kinetic")
    pp = run_switching(binary, "medium", args.seed, "exact-pieces", t1, 101, args.budget or 600,
                       "sliding-medium-prefix-exact-pieces")
    if pp["reached"] >= t1:
        accuracy.append(f"medium, [0, {t1:g}] at 101 times: kinetic vs exact pieces max rel loss diff "
                        f"{max_relative_difference(pk['losses'], pp['losses']):.2e} (switches {pk['switching'].get('events')}"
                        f" / {pp['switching'].get('events')}; walls {pk['wall']:.2f} s / {pp['wall']:.2f} s, loads "
                        f"{pk['load']:.2f} / {pp['load']:.2f})")
    else:
        accuracy.append(f"medium, [0, {t1:g}]: exact pieces did not finish within the budget")
    accuracy.append(f"medium, scipy's samples on [0, {peer['t_reached']:.3g}]: kinetic vs scipy max rel loss diff "
                    f"{max_relative_difference(kinetic_run['losses'], peer['loss_samples']):.2e}")
    # Small.
    n, d, m = SIZES["small"]
    runs = [run_switching(binary, "small", args.seed, solver, T, 101, args.budget or 600, f"sliding-small-{name}", extra)
            for solver, name, extra in (("kinetic", "kinetic", ()), ("exact-pieces", "exact-pieces", ()),
                                        ("events", "events", ("--stepper", "rk8pd", "--rtol", "1e-10",
                                                              "--atol", "1e-12")))]
    for run in runs:
        print(row("small", run), flush=True)
    X, y, W0, a = make_problem(n, d, m, args.seed)
    peer_load = load_average()
    peer = scipy_flow(X, y, W0, a, "gd", T, args.rtol, args.atol, "RK45", args.peer_budget)
    print(f"| small | scipy RK45 rtol {args.rtol} | {peer['wall_s']:.2f} | t = {peer['t_reached']:.3g}"
          f"{'' if peer['t_reached'] >= T else ' (budget)'} | | | | | {peer_load:.2f} |")
    kinetic_small, pieces_small, events_small = runs
    accuracy.append(f"small, [0, {T:g}] at 101 times: kinetic vs exact pieces max rel loss diff "
                    f"{max_relative_difference(kinetic_small['losses'], pieces_small['losses']):.2e}, vs events "
                    f"{max_relative_difference(kinetic_small['losses'], events_small['losses']):.2e}, vs scipy "
                    f"{max_relative_difference(kinetic_small['losses'], peer['loss_samples']):.2e}; exact pieces / kinetic"
                    f" = {pieces_small['wall'] / kinetic_small['wall']:.1f}")
    print()
    for line in accuracy:
        print("- " + line)
    return rows


def kinetic(args, binary):
    """The kinetic solver's figures: small and medium HBF to T = 50 against exact
    pieces and scipy RK45 in the same run, then the growth table."""
    rows = []
    for size, budget in (("small", 0), ("medium", args.budget or 120)):
        n, d, m = SIZES[size]
        X, y, W0, a = make_problem(n, d, m, args.seed)
        walls = {}
        loads = {}
        for solver in ("kinetic", "exact-pieces"):
            loads[solver] = load_average()
            out = os.path.join(WORK, f"kinetic-{size}-{solver}")
            for stale in (out + ".json", out + ".csv"):
                if os.path.exists(stale):
                    os.remove(stale)
            r, _ = run_gradflow(binary, ["simulate", "--flow", "hbf"] + problem_args(size, args.seed)
                                + ["--t-start", "0", "--t-end", repr(args.T), "--points", "101", "--solver", solver,
                                   "--output", out] + (["--max-wall", repr(float(budget))] if budget else []))
            js = json.load(open(out + ".json")) if os.path.exists(out + ".json") else None
            if js is None:
                walls[solver] = (float("nan"), None, None)
                continue
            t, _ = gradflow_losses(out)
            walls[solver] = (js["wall_seconds"], (js.get("switching") or {}).get("events"), float(t[-1]))
        loads["scipy"] = load_average()
        peer = scipy_flow(X, y, W0, a, "hbf", args.T, args.rtol, args.atol, "RK45", 0)
        kw, ke, _ = walls["kinetic"]
        ew, ee, et = walls["exact-pieces"]
        exact_note = f"exact pieces {ew:.2f} s" if et == args.T else f"exact pieces stopped at t = {et:.3g} after {ew:.0f} s"
        rows.append((f"{size} hbf to T={args.T}, kinetic", f"scipy RK45 rtol {args.rtol}", peer["wall_s"], kw,
                     peer["wall_s"] / kw,
                     f"{ke} switches, {kw / ke * 1e3:.3f} ms per switch; {exact_note} ({ee} switches)"
                     + (f", exact pieces / kinetic = {ew / kw:.1f}" if et == args.T else "")
                     + f"; load {loads['kinetic']:.2f} (kinetic), {loads['exact-pieces']:.2f} (exact pieces),"
                       f" {loads['scipy']:.2f} (scipy)"))
    print_table(rows)
    args.T = 20.0
    growth(args, binary)
    return []


def print_table(rows):
    if not rows:
        return
    print("| run | peer | peer | gradflow | peer / gradflow | notes |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        unit = "ms/iter" if "iteration" in row[0] else "s"
        note = row[5] if len(row) > 5 else ""
        print(f"| {row[0]} | {row[1]} | {row[2]:.3f} {unit} | {row[3]:.3f} {unit} | {row[4]:.2f} | {note} |")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=["discrete", "flow", "growth", "kinetic", "sliding", "wide", "all"])
    p.add_argument("--bin", default=None, help="gradflow binary (default: the release build of this checkout)")
    p.add_argument("--size", choices=sorted(SIZES), default="medium")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--iterations", type=int, default=100)
    p.add_argument("--flow", choices=["gd", "hbf", "nag"], default="hbf")
    p.add_argument("--T", type=float, default=50.0)
    p.add_argument("--method", choices=["RK45", "DOP853"], default="RK45")
    p.add_argument("--rtol", type=float, default=1e-6)
    p.add_argument("--atol", type=float, default=1e-9)
    p.add_argument("--budget", type=float, default=0.0, help="wall seconds per run before it is stopped (0: none)")
    p.add_argument("--peer-budget", type=float, default=300.0, help="wall seconds for scipy in `wide`")
    p.add_argument("--prefix", type=float, default=0.5, help="`sliding`: the horizon t1 of the medium accuracy check")
    p.add_argument("--extra", default="", help="extra gradflow simulate options, e.g. '--solver events'")
    p.add_argument("--reference", default=None, help="write the scipy run (t/loss samples) to this JSON")
    args = p.parse_args()
    binary = gradflow_binary(args.bin)
    os.makedirs(WORK, exist_ok=True)
    if args.what == "discrete":
        print_table(discrete(args, binary))
    elif args.what == "flow":
        print_table(flow_run(args, binary))
    elif args.what == "growth":
        growth(args, binary)
    elif args.what == "kinetic":
        kinetic(args, binary)
    elif args.what == "sliding":
        sliding(args, binary)
    elif args.what == "wide":
        wide(args, binary)
    else:
        rows = discrete(args, binary)
        for size, flow in (("small", "hbf"), ("small", "gd")):
            args.size, args.flow = size, flow
            rows += flow_run(args, binary)
        print_table(rows)
        args.T = 20.0
        growth(args, binary)


if __name__ == "__main__":
    main()
