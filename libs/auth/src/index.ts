export * from './principal';
export * from './scope.policy';
export * from './access';
export * from './passwords';
export * from './decorators';
export * from './sessions.service';
export * from './auth.guard';
export * from './auth.module';
