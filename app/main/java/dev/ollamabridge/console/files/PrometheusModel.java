package dev.ollamabridge.console.files;

/**
 * prometheus.yml: where Prometheus asks the console for the bridges to scrape, and the file, beside
 * prometheus.yml, that holds the API token it asks with.
 */
public record PrometheusModel(String discoveryUrl, String tokenFile) {}
