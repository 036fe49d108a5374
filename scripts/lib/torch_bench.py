#!/usr/bin/python3
"""The PyTorch peer of spark-cnn's benchmark (scripts/bench.sh runs it): the same IDX files, the same networks
(core's Presets: lenet and tf-mnist, with their activations and initializations), minibatch SGD with Nesterov
momentum, and the same data order idea (a fresh seeded permutation every epoch).

    torch_bench.py train --data DIR [--model lenet] [--epochs 5] [--batch 64] [--lr 0.01] [--momentum 0.9]
                         [--threads 2] [--ddp 0] [--train-limit 0] [--seed 1]
    torch_bench.py peak [--size 2048]         # sgemm GFLOP/s with this process's BLAS threads

train prints one JSON object per line on stdout: {"event": "epoch", ...} when an epoch's training ends (the
harness timestamps these lines, so the time since the process started counts), then {"event": "done", ...} with
the test accuracy (evaluated after training, not timed) and the network's FLOPs per training image.
--ddp N trains with DistributedDataParallel on N processes of --threads threads each (gloo on loopback); each
process takes 1/N of every epoch's permutation in minibatches of --batch, so an epoch is one pass over the data.
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(data, name):
    """An IDX file as a numpy array (uint8), gzipped (name.gz) or not."""
    path = os.path.join(data, name)
    opener = open
    if not os.path.exists(path):
        path, opener = path + ".gz", gzip.open
    with opener(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(data, train, limit=0):
    """Images as float32 N×1×28×28 in [0, 1] and int64 labels."""
    prefix = "train" if train else "t10k"
    images = read_idx(data, prefix + "-images-idx3-ubyte")
    labels = read_idx(data, prefix + "-labels-idx1-ubyte")
    if limit > 0:
        images, labels = images[:limit], labels[:limit]
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))


def glorot(m):
    """Presets' default init: Glorot uniform weights (fan-in and fan-out over the kernel), zero biases."""
    nn.init.xavier_uniform_(m.weight)
    nn.init.zeros_(m.bias)


def normal(m, std=0.1, bias=0.1):
    nn.init.normal_(m.weight, 0.0, std)
    nn.init.constant_(m.bias, bias)


def network(model):
    """lenet = conv5x5x20,maxpool2,conv5x5x50,maxpool2,dense500:relu,softmax10 (convolutions without activation);
    tf-mnist = conv5x5x32:same:relu,maxpool2,conv5x5x64:same:relu,maxpool2,dense1024:relu,dropout0.5,softmax10,
    every layer N(0, 0.1²) weights and 0.1 biases. The softmax is in the loss (cross-entropy on logits)."""
    if model == "lenet":
        layers = [nn.Conv2d(1, 20, 5), nn.MaxPool2d(2), nn.Conv2d(20, 50, 5), nn.MaxPool2d(2), nn.Flatten(),
                  nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10)]
        init = glorot
    elif model == "tf-mnist":
        layers = [nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                  nn.Linear(3136, 1024), nn.ReLU(), nn.Dropout(0.5), nn.Linear(1024, 10)]
        init = normal
    else:
        raise SystemExit(f"unknown model {model} (lenet or tf-mnist)")
    net = nn.Sequential(*layers)
    for m in net:
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            init(m)
    return net


def flops_per_image(net):
    """Training FLOPs per image: 2 × (forward MACs + input-gradient MACs + weight-gradient MACs); the first layer
    needs no input gradient. MACs of conv and dense layers only (pooling and activations are not GEMM work)."""
    macs = []
    hooks = [m.register_forward_hook(lambda m, i, o: macs.append(o[0].numel() * m.weight[0].numel()))
             for m in net if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        net(torch.zeros(1, 1, 28, 28))
    for h in hooks:
        h.remove()
    return 2 * (3 * sum(macs) - macs[0])


def emit(**fields):
    print(json.dumps(fields), flush=True)


def train(rank, args):
    torch.set_num_threads(args.threads)
    world = max(args.ddp, 1)
    if args.ddp:
        torch.distributed.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{args.port}", rank=rank,
                                             world_size=world)
    torch.manual_seed(args.seed)               # the same initial parameters in every process
    x, y = load(args.data, True, args.train_limit)
    net = network(args.model)
    flops = flops_per_image(net)
    model = nn.parallel.DistributedDataParallel(net) if args.ddp else net
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum, nesterov=True)
    n = len(y)
    order_rng = torch.Generator().manual_seed(args.seed)
    per_rank = n // world
    if rank == 0:
        emit(event="start")
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(n, generator=order_rng)[rank * per_rank:(rank + 1) * per_rank]
        for b in range(0, per_rank, args.batch):
            idx = order[b:b + args.batch]
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
        if rank == 0:
            emit(event="epoch", epoch=epoch + 1, images=per_rank * world * (epoch + 1))
    if rank == 0:
        net.eval()
        tx, ty = load(args.data, False)
        with torch.no_grad():
            correct = sum(int((net(tx[i:i + 1000]).argmax(1) == ty[i:i + 1000]).sum()) for i in range(0, len(ty), 1000))
        emit(event="done", accuracy=correct / len(ty), test_images=len(ty), flops_per_image=flops,
             torch=torch.__version__, threads=args.threads, processes=world)
    if args.ddp:
        torch.distributed.destroy_process_group()


def peak(args):
    """Best-of-5 GFLOP/s of a size³ float32 matrix product (torch.mm, i.e. the BLAS's sgemm)."""
    a, b = torch.rand(args.size, args.size), torch.rand(args.size, args.size)
    best = float("inf")
    for rep in range(7):
        began = time.perf_counter()
        torch.mm(a, b)
        if rep >= 2:
            best = min(best, time.perf_counter() - began)
    emit(event="peak", size=args.size, gflops=2 * args.size ** 3 / best / 1e9,
         blas_threads=os.environ.get("OPENBLAS_NUM_THREADS", ""))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train")
    t.add_argument("--data", required=True)
    t.add_argument("--model", default="lenet", choices=["lenet", "tf-mnist"])
    t.add_argument("--epochs", type=int, default=5)
    t.add_argument("--batch", type=int, default=64)
    t.add_argument("--lr", type=float, default=0.01)
    t.add_argument("--momentum", type=float, default=0.9)
    t.add_argument("--threads", type=int, default=os.cpu_count())
    t.add_argument("--ddp", type=int, default=0, help="processes (0: no DDP, one process)")
    t.add_argument("--port", type=int, default=29517)
    t.add_argument("--train-limit", type=int, default=0, help="first N training images (0: all)")
    t.add_argument("--seed", type=int, default=1)
    k = sub.add_parser("peak")
    k.add_argument("--size", type=int, default=2048)
    args = p.parse_args()
    if args.command == "peak":
        torch.set_num_threads(int(os.environ.get("OPENBLAS_NUM_THREADS", "1")))
        peak(args)
    elif args.ddp:
        torch.multiprocessing.spawn(train, args=(args,), nprocs=args.ddp)
    else:
        train(0, args)


if __name__ == "__main__":
    sys.exit(main())
