export * from './i18n';
export * from './charts/palette';
export * from './charts/configs';
export * from './charts/render-png';
