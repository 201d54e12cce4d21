import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from 'rootfree';
import { processGradOutput, processInput, resolveLayer } from 'rootfree/internal';
import { goldenFiles, loadGolden } from '../../src/conformance/golden.js';
import type { LayerIoCase } from '../../src/conformance/layerIo.js';
import '../../src/tfjsSetup.js';
import { vectorsDir } from './vectors.js';

/**
 * The unfolding and scaling alone (v3 README §2.4): from the stored `input` and `grad_output`
 * (NCHW moved to NHWC), rootfree's a and g must reproduce singd's stored `a` and `g` up to
 * a row permutation (none here: rows are (b, o1, o2) in both layouts) and H = aᵀa, gᵀg.
 */
const files = goldenFiles(join(vectorsDir(), 'v3')).filter((f) => basename(f).startsWith('singd_'));

describe.each(['cpu', 'wasm'] as const)('layer statistics on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each(files.map((f) => [basename(f, '.json'), f]))('%s: a and g equal the stored ones', (_id, file) => {
    const c = loadGolden(file) as LayerIoCase;
    const hp = c.hyperparameters as Record<string, any>;
    let worst = 0;
    for (const s of c.steps.slice(0, 2)) {
      for (const io of s.layer_io) {
        const l = c.layers.find((x) => x.name === io.layer)! as LayerIoCase['layers'][number] & { a_shape: number[]; g_shape: number[]; kfac_approx: string; loss_average: string | null };
        const conv = l.kind === 'Conv2d';
        const cfg = l.config;
        const layer = resolveLayer(conv
          ? { name: l.name, kind: 'conv2d', weight: 'w', bias: l.bias === null ? null : 'b', strides: cfg.stride, padding: cfg.padding, dilation: cfg.dilation, groups: cfg.groups }
          : { name: l.name, kind: 'dense', weight: 'w', bias: l.bias === null ? null : 'b' });
        const nhwc = (flat: number[], shape: number[]) => (conv ? tf.transpose(tf.tensor(flat, shape), [0, 2, 3, 1]) : tf.tensor(flat, shape));
        const diff = tf.tidy(() => {
          const a = processInput(nhwc(io.input, l.input_shape), layer, l.kfac_approx as 'expand', l.bias !== null, conv ? cfg.kernel_size : [1, 1]);
          const g = processGradOutput(nhwc(io.grad_output, l.output_shape), l.kfac_approx as 'expand', (l.loss_average ?? 'none') as 'batch');
          expect(a.shape).toEqual(l.a_shape);
          expect(g.shape).toEqual(l.g_shape);
          const wantA = tf.tensor((io as any).a, l.a_shape);
          const wantG = tf.tensor((io as any).g, l.g_shape);
          return Math.max(tf.max(tf.abs(tf.sub(a, wantA))).dataSync()[0], tf.max(tf.abs(tf.sub(g, wantG))).dataSync()[0]);
        });
        worst = Math.max(worst, diff);
      }
    }
    expect(hp).toBeDefined();
    expect(worst).toBeLessThan(1e-5);
  });
});
