/**
 * What every lab entry point needs from tfjs: the gradients and rootfree's registrations.
 * tfjs-core registers no gradients by itself. Its `dist/register_all_gradients.js` is ES code with
 * extensionless imports that Node cannot load; tfjs-layers' Node bundle registers them all.
 */
import '@tensorflow/tfjs-layers';
import 'rootfree';
