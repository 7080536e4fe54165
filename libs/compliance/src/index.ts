export * from './types';
export * from './vocab';
export * from './dates';
export * from './credit-code';
export * from './rule-set';
export * from './periods';
export * from './engine';
export * from './progress';
