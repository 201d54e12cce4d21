import { structureSuite } from './suite.js';

// (K1, K2) = (3, 2): d ≤ K1 (1, 3), K1 < d ≤ K1+K2 (4, 5), d > K1+K2 (6, 10).
structureSuite(['hierarchical3x2'], [1, 3, 4, 5, 6, 10]);
structureSuite(['hierarchical15x15'], [10, 20, 40]);
