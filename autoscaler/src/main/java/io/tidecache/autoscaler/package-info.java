/**
 * The autoscaler: samples an elastic cache's signals through
 * {@link io.tidecache.api.ScalingControl}, decides with thresholds, windows, a cooldown and a
 * projected-occupancy check, publishes every decision as a
 * {@link io.tidecache.api.ScaleDecision}, and applies GROW and SHRINK one at a time.
 *
 * <p>Public: {@link io.tidecache.autoscaler.Autoscaler}, its
 * {@link io.tidecache.autoscaler.AutoscalerSettings} and
 * {@link io.tidecache.autoscaler.AutoscalerMetrics}. The policy, its state and the actuator are
 * package-private; the policy's implementation notes explain the hysteresis.
 */
package io.tidecache.autoscaler;
