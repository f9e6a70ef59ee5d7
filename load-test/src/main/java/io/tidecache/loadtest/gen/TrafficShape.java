package io.tidecache.loadtest.gen;

import java.util.Locale;

/**
 * Immutable: the intended request rate over time, and the load factor (rate over the base rate)
 * that sizes the key space when the working set grows with the load.
 */
sealed interface TrafficShape {

  /** Requests per second intended at {@code t} seconds into the run. */
  double rate(double t);

  /** The base (low) rate. */
  double base();

  /** {@code rate(t) / base()}. */
  default double loadFactor(double t) {
    return rate(t) / base();
  }

  /** Requests intended in {@code [t0, t1)} (numerically, in 1 ms steps). */
  default double intended(double t0, double t1) {
    double sum = 0;
    double step = 0.001;
    for (double t = t0; t < t1; t += step) {
      sum += rate(t + Math.min(step, t1 - t) / 2) * Math.min(step, t1 - t);
    }
    return sum;
  }

  /** One line for reports. */
  String describe();

  /** The base rate all the time. */
  record Steady(double base) implements TrafficShape {
    @Override
    public double rate(double t) {
      return base;
    }

    @Override
    public String describe() {
      return String.format(Locale.ROOT, "steady at %,.0f/s", base);
    }
  }

  /** The base rate, then {@code factor} times it from {@code atSeconds} on. */
  record Step(double base, double factor, double atSeconds) implements TrafficShape {
    @Override
    public double rate(double t) {
      return t < atSeconds ? base : base * factor;
    }

    @Override
    public String describe() {
      return String.format(Locale.ROOT, "step from %,.0f/s to %,.0f/s at %.0f s", base,
          base * factor, atSeconds);
    }
  }

  /** The base rate, {@code factor} times it during {@code [atSeconds, atSeconds + forSeconds)}. */
  record Spike(double base, double factor, double atSeconds, double forSeconds)
      implements TrafficShape {
    @Override
    public double rate(double t) {
      return t >= atSeconds && t < atSeconds + forSeconds ? base * factor : base;
    }

    @Override
    public String describe() {
      return String.format(Locale.ROOT, "spike: %,.0f/s, %,.0f/s (x%.0f) from %.0f s to %.0f s, "
          + "then %,.0f/s", base, base * factor, factor, atSeconds, atSeconds + forSeconds, base);
    }
  }

  /** A sine wave from the base rate (at 0) up to {@code factor} times it (at half a period). */
  record Sine(double base, double factor, double periodSeconds) implements TrafficShape {
    @Override
    public double rate(double t) {
      double phase = (1 - Math.cos(2 * Math.PI * t / periodSeconds)) / 2;
      return base + (base * factor - base) * phase;
    }

    @Override
    public String describe() {
      return String.format(Locale.ROOT, "sine between %,.0f/s and %,.0f/s, period %.0f s", base,
          base * factor, periodSeconds);
    }
  }
}
