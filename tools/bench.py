"""The benchmark command: ``python -m tools.bench`` (``make bench``), from the repository root.

Times every architecture of the course with chapter 17's library, :mod:`utils.bench` (how and why
is explained there): forward and forward-backward, TF1 Session vs ``tf.function`` vs XLA, with
FLOPs, GFLOP/s and the fraction of the machine's peak measured before and after the models.
Prints a table and writes ``results.csv``, ``results.json`` and ``results.png`` into ``--out``::

    python -m tools.bench                 # --quick: small batch and inputs, a few minutes on 2 cores
    python -m tools.bench --full          # ImageNet sizes (224x224) for the big models: much longer
    python -m tools.bench --models lenet alexnet --out build/bench
"""
import argparse

import utils  # sets TensorFlow's environment before it is imported

import keras  # noqa: E402

from utils import bench  # noqa: E402


def run(size="quick", models=None, out="build/bench", batch=None, steps=None, burn_in=None):
    """The whole benchmark; returns ``(rows, peak GFLOP/s, bandwidth GB/s)`` and writes results.

    Raises :class:`ValueError` for an unknown size or model, or a config whose builder is missing
    (:func:`utils.bench.find_builder`), before anything is timed.
    """
    s, configs = bench.select_configs(size, models)
    batch, steps = batch or s["batch"], steps or s["steps"]
    burn_in = s["burn_in"] if burn_in is None else burn_in
    builds = {config.name: bench.model_factory(config, s["classes"]) for config in configs}

    info = bench.machine_info()
    print(f"machine: {info['cpu']}, {info['cores']} cores, GPUs: {info['gpus'] or 'none'}; "
          f"TF {info['tensorflow']}")
    peak, peak_t = bench.peak_gflops(s["matmul"], steps, burn_in)
    bandwidth, bw_t = bench.bandwidth_gbs(s["stream"], steps, burn_in)
    print(f"peak: {peak:.1f} GFLOP/s ({peak_t}); memory bandwidth {bandwidth:.1f} GB/s ({bw_t}); "
          f"ridge point {peak / bandwidth:.1f} FLOP/byte")
    print(f"size {size}: batch {batch}, {steps} timed rounds (more for a fast model, up to "
          f"{s['min_seconds']} s of steps) after {burn_in} burn-in steps; paths interleaved")
    rows = []
    for config in configs:
        print(f"{config.name} {'x'.join(map(str, config.input_shape))}:")
        model_rows, outputs = bench.benchmark_model(config.name, builds[config.name], batch, steps, burn_in,
                                                    peak, check=False, min_seconds=s["min_seconds"])
        try:
            bench.check_paths_agree(outputs)
        except AssertionError as error:  # report it loudly, but keep the other models' numbers
            print(f"  WARNING: the paths disagree for {config.name}: {' '.join(str(error).split())[:300]}")
            for row in model_rows:
                row.agree = False
        rows += model_rows
        keras.backend.clear_session()
    peak_again, peak_t = bench.peak_gflops(s["matmul"], steps, burn_in)
    peak = bench.rescale_to_peak(rows, peak, peak_again)
    bandwidth = max(bandwidth, bench.bandwidth_gbs(s["stream"], steps, burn_in)[0])
    print(f"\npeak measured again: {peak_again:.1f} GFLOP/s ({peak_t}); fractions of {peak:.1f} GFLOP/s")
    print(bench.format_table(rows))
    settings = dict(size=size, batch=batch, steps=steps, burn_in=burn_in, matmul=s["matmul"],
                    stream=s["stream"], backward_factor=bench.BACKWARD_FACTOR,
                    min_seconds=s["min_seconds"], timing="interleaved, paired ratios")
    paths = bench.write_results(rows, out, peak, bandwidth, info, settings)
    print("wrote " + ", ".join(paths.values()))
    return rows, peak, bandwidth


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", dest="size", action="store_const", const="quick",
                      help="small batch and inputs, a few minutes on 2 cores (the default)")
    size.add_argument("--full", dest="size", action="store_const", const="full",
                      help="ImageNet inputs (224x224) and batch 32: long on a laptop")
    parser.add_argument("--models", nargs="+", help=f"a subset of: {[c.name for c in bench.QUICK]} "
                        f"(quick) / {[c.name for c in bench.FULL]} (full)")
    parser.add_argument("--batch", type=int, help="override the batch size")
    parser.add_argument("--steps", type=int, help="override the number of timed rounds (one step of each path)")
    parser.add_argument("--out", default="build/bench", help="results folder (default build/bench)")
    args = parser.parse_args(argv)
    try:
        bench.select_configs(args.size or "quick", args.models)
    except ValueError as error:
        parser.error(str(error))  # one line and exit status 2, before TensorFlow does any work
    utils.setup()
    run(args.size or "quick", args.models, args.out, args.batch, args.steps)


if __name__ == "__main__":
    main()
