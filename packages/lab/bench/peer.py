"""PyTorch CPU peer for `npm run bench -- --only peer` (bench/peer.ts runs it with /usr/bin/python3).

The study's fmnist-cnn and fmnist-resnet (packages/lab/src/harness/models/convnets.ts), NHWC input
28x28x1, batch 128, cross-entropy, plain SGD: one training step = forward, backward, update.
argv[1]: JSON {"model", "threads", "batch", "warmup", "steps", "gemm": {"n", "reps"}}.
Prints one JSON line: ms per step (every timed step), and the GEMM rate of this process.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn(cin, cout, stride=1, k=3):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout, momentum=0.1, eps=1e-3))


class Vgg(nn.Module):
    """[conv3x3-BN-ReLU, maxpool 2] per width; global average pool; linear (vgg(shape, [16, 32, 64], 1))."""

    def __init__(self, widths=(16, 32, 64), classes=10):
        super().__init__()
        layers, cin = [], 1
        for w in widths:
            layers += [conv_bn(cin, w), nn.ReLU(), nn.MaxPool2d(2)]
            cin = w
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(cin, classes)

    def forward(self, x):
        return self.head(self.body(x).mean((2, 3)))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.a = conv_bn(cin, cout, stride)
        self.b = conv_bn(cout, cout)
        self.short = conv_bn(cin, cout, stride, 1) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        return F.relu(self.b(F.relu(self.a(x))) + self.short(x))


class ResNet(nn.Module):
    """3x3 stem, one BasicBlock per width (stride 2 from the second), GAP, linear (resnet(shape, [16, 32, 64], 1))."""

    def __init__(self, widths=(16, 32, 64), classes=10):
        super().__init__()
        self.stem = conv_bn(1, widths[0])
        blocks, cin = [], widths[0]
        for i, w in enumerate(widths):
            blocks.append(Block(cin, w, 2 if i > 0 else 1))
            cin = w
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(cin, classes)

    def forward(self, x):
        return self.head(self.blocks(F.relu(self.stem(x))).mean((2, 3)))


def gemm_gflops(n, reps, rounds=5):
    """Same protocol as peerChild.ts: one warm-up product, median of `rounds` rounds of `reps`."""
    a = torch.rand(n, n)
    b = torch.rand(n, n)
    torch.mm(a, b)
    rates = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(reps):
            torch.mm(a, b)
        rates.append(2 * n ** 3 * reps / (time.perf_counter() - t0) / 1e9)
    return sorted(rates)[len(rates) // 2]


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg["threads"])
    torch.manual_seed(1)
    net = Vgg() if cfg["model"] == "fmnist-cnn" else ResNet()
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    b = cfg["batch"]
    # NHWC data as the lab feeds it, permuted to PyTorch's NCHW once (not part of the step).
    x = torch.rand(b, 28, 28, 1).permute(0, 3, 1, 2).contiguous()
    y = torch.randint(0, 10, (b,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(cfg["warmup"]):
        step()
    ms = []
    for _ in range(cfg["steps"]):
        t0 = time.perf_counter()
        step()
        ms.append((time.perf_counter() - t0) * 1000)
    gemm = cfg["gemm"]
    print(json.dumps({
        "msPerStep": ms,
        "gemmGflops": gemm_gflops(gemm["n"], gemm["reps"]),
        "threadsActual": torch.get_num_threads(),
        "torch": torch.__version__,
        "blas": torch.__config__.show().split("BLAS_INFO=")[-1].split(",")[0] if "BLAS_INFO=" in torch.__config__.show() else "unknown",
    }))


if __name__ == "__main__":
    main()
