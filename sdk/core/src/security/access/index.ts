export {
  ACCESS_OPERATIONS,
  AccessDeniedError,
  type AccessOperation,
  AccessPolicy,
  type AccessPolicyOptions,
  type AccessRule,
  accessPolicy,
} from './access-policy.js';
export { currentPrincipal, type Principal, runAs } from './principal.js';
