/**
 * Golden-case mappings, one module per family of reference classes; importing this module
 * registers them all. docs/CONFORMANCE.md describes each mapping and the SKIP/REPORT rules.
 */
import './mappings/diagonal.js';
import './mappings/ifShampoo.js';
import './mappings/shampoo.js';
import './mappings/muon.js';
import './mappings/singd.js';

export { factoryFor, extensionsOf, registerCaseFactory, MappingError, type CaseFactory, type CaseSetup, type ParamView } from './registry.js';
