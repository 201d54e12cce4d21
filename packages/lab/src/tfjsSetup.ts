/**
 * What every lab entry point needs from tfjs: the gradients (tfjs-core registers none by itself;
 * @tensorflow/tfjs and tfjs-layers import them) and rootfree's registrations.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import 'rootfree';
