export * from './i18n';
export * from './i18n/still-needed';
export * from './charts/palette';
export * from './charts/configs';
export * from './charts/render-png';
