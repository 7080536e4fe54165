export * from './models';
export * from './html';
export * from './charts';
export * from './unit-report';
export * from './digest';
export * from './render';
