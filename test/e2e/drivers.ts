// The browser drivers moved to test/support/drivers.ts (shared with stress/); kept for e2e tests that import ./drivers.
export * from '../support/drivers';
