// SPDX-License-Identifier: Apache-2.0

import CoreMetrics
import Prometheus
import VKCertManager

/// A swift-metrics factory over a Prometheus registry that gives vkcert's series (``MetricCatalog``) their
/// `# HELP` text and histogram buckets, and hands every other label to swift-prometheus' own factory. Give
/// it to the manager and the server, and bootstrap `MetricsSystem` with it (or with a plain
/// `PrometheusMetricsFactory` on the same registry) so an embedding program's own metrics appear on the
/// same `/metrics`.
public struct CatalogPrometheusFactory: MetricsFactory {
    public let registry: PrometheusCollectorRegistry
    let fallback: PrometheusMetricsFactory

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.fallback = PrometheusMetricsFactory(registry: registry)
    }

    static func descriptor(_ series: MetricCatalog.Series) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: series.name, unitName: "", helpText: series.help)
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        guard let series = MetricCatalog.series(named: label), series.kind == .counter else {
            return fallback.makeCounter(label: label, dimensions: dimensions)
        }
        return registry.makeCounter(descriptor: Self.descriptor(series), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        guard let series = MetricCatalog.series(named: label), series.kind == .counter else {
            return fallback.makeFloatingPointCounter(label: label, dimensions: dimensions)
        }
        return registry.makeCounter(descriptor: Self.descriptor(series), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard let series = MetricCatalog.series(named: label), series.kind == .gauge else {
            return fallback.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
        }
        return registry.makeGauge(descriptor: Self.descriptor(series), labels: dimensions)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        guard let series = MetricCatalog.series(named: label), series.kind == .gauge else {
            return fallback.makeMeter(label: label, dimensions: dimensions)
        }
        return registry.makeGauge(descriptor: Self.descriptor(series), labels: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        guard let series = MetricCatalog.series(named: label), series.kind == .histogram else {
            return fallback.makeTimer(label: label, dimensions: dimensions)
        }
        let buckets = series.buckets.map { Duration.nanoseconds(Int64(($0 * 1e9).rounded())) }
        return registry.makeDurationHistogram(descriptor: Self.descriptor(series), labels: dimensions, buckets: buckets)
    }

    public func destroyCounter(_ handler: any CounterHandler) { fallback.destroyCounter(handler) }
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { fallback.destroyFloatingPointCounter(handler) }
    public func destroyRecorder(_ handler: any RecorderHandler) { fallback.destroyRecorder(handler) }
    public func destroyMeter(_ handler: any MeterHandler) { fallback.destroyMeter(handler) }
    public func destroyTimer(_ handler: any TimerHandler) { fallback.destroyTimer(handler) }
}
