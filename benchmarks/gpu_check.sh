#!/usr/bin/env bash
# The GPU figures of docs/devices.md in one run, on a machine with an NVIDIA GPU:
#   1. the torch simulator on CUDA against cpp_standalone (and torch on the CPU), 40 trials;
#   2. the same with 1,000 trials (cpp_standalone on all cores against torch on CUDA);
#   3. the default lambda sweep (12 scales x 100 trials) on cpp_standalone and torch CUDA;
#   4. the same sweep on brian2cuda's cuda_standalone (needs brian2cuda);
#   5. Go/NoGo rate-net training, 100 Adam updates, on CUDA and on the CPU.
# Each stage has its own time limit; one that fails or runs out is reported and the next runs.
#
#   OUT=runs/gpu-check PY=python3 bash benchmarks/gpu_check.sh [STAGE ...]
#
# STAGEs (default: all): env torch_sim_40 torch_sim_1000 sweep cuda_standalone train_cuda train_cpu
#
# Every stage's output goes to $OUT/<stage>.log (7 files) as well as to the terminal.
set -u
OUT=${OUT:-runs/gpu-check}
PY=${PY:-python3}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1
STAGES=" ${*:-env torch_sim_40 torch_sim_1000 sweep cuda_standalone train_cuda train_cpu} "

stage() {        # stage NAME LIMIT_S COMMAND...
    local name=$1 limit=$2
    shift 2
    [[ $STAGES == *" $name "* ]] || return 0
    echo "=== $name (limit ${limit} s) at $(date +%T)"
    local start=$SECONDS
    timeout "$limit" "$@" > >(tee "$OUT/$name.log") 2>&1
    local rc=$?
    echo "=== $name: exit $rc after $((SECONDS - start)) s"
}

stage env 60 bash -c "nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; nproc; \
  $PY -c 'import sys, torch, numpy, brian2; print(sys.version.split()[0], \"torch\", torch.__version__, \
  \"cuda\", torch.cuda.is_available(), \"numpy\", numpy.__version__, \"brian2\", brian2.__version__)'"
stage torch_sim_40 100 $PY benchmarks/torch_simulator.py --trials 40 --skip-reference
stage torch_sim_1000 100 $PY benchmarks/torch_simulator.py --trials 1000 --skip-reference --skip-torch-cpu
stage sweep 120 $PY benchmarks/lambda_sweep.py --devices cpp_standalone,torch:cuda:float32,torch:cuda:float64
stage cuda_standalone 180 $PY benchmarks/cuda_sweep.py --trials 100
for where in cuda cpu; do       # prints "... after 100 updates (T s)"
    stage "train_$where" 60 $PY -m rate2spike train --task gonogo --max-updates 100 \
        --stop-loss 1e-6 --torch-device "$where" --quiet --out "$(mktemp -d)/train-$where"
done
