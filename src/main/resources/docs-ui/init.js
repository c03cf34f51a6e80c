// Renders /openapi.yaml with Swagger UI (loaded by /docs from Parley's own copy of the webjar).
// "Try it out" calls this server; admin routes need the token entered under "Authorize".
window.ui = SwaggerUIBundle({
  url: '/openapi.yaml',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout'
});
