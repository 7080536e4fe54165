import { join } from 'node:path';
import { INSTALL_ROOT } from '@app/common';

/** The project root, whether running from source (tests) or from dist/ (npm start). */
export const ROOT_DIR = INSTALL_ROOT;

// Templates and browser files are read from the source tree, like config/, so dist needs no copies.
export const WEB_SRC_DIR = join(ROOT_DIR, 'apps', 'tracker', 'src', 'web');
export const VIEWS_DIR = join(WEB_SRC_DIR, 'views');
export const PUBLIC_DIR = join(WEB_SRC_DIR, 'public');
export const NODE_MODULES_DIR = join(ROOT_DIR, 'node_modules');
