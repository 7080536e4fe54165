export * from './mail.module';
export * from './mail.transport';
export * from './message-id';
export * from './outbox.renderers';
export * from './outbox.service';
export * from './outbox.types';
export * from './outbox.worker';
export * from './retry-policy';
