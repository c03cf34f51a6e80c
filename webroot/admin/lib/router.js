/*
 * The current route, so that a page can draw itself again (after a save on the same address)
 * without importing the entry module.
 */
let current = () => {};

export function setRoute(route) { current = route; }

export function reroute() { current(); }
