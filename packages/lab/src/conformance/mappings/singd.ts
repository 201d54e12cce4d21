import { casePrefix, registerCaseFactory } from '../registry.js';
import { singdLayerIoSetup, type LayerIoCase } from '../layerIo.js';

/** f-dangel/singd: the v3 `layer_io` files feed each layer's input and output gradient (v3 README). */
registerCaseFactory('SINGD', (c) => singdLayerIoSetup(c as LayerIoCase, casePrefix()), { extensions: ['layer_io'] });
