/* fairorder buyer page: pure formatting helpers (money, durations, times).
 *
 * Money arrives as an integer count of minor units (fen). It is formatted with BigInt
 * arithmetic only, never through a floating-point division, so ¥12.50 is always exactly
 * what the server computed. No DOM access here: tests/web loads this file in Node too. */
(function (root) {
  'use strict';

  var SYMBOLS = { CNY: '¥' };

  /* The minor units as a BigInt, or null when the value is not an exact integer. */
  function toBigInt(minor) {
    if (typeof minor === 'bigint') {
      return minor;
    }
    if (typeof minor === 'number' && Number.isSafeInteger(minor)) {
      return BigInt(minor);
    }
    if (typeof minor === 'string' && /^-?[0-9]+$/.test(minor)) {
      return BigInt(minor);
    }
    return null;
  }

  /* "¥12.50" from 1250; "-¥12.50" from -1250; with opts.sign, "+¥12.50" for positives. */
  function money(minor, currency, opts) {
    var value = toBigInt(minor);
    if (value === null) {
      return '—';
    }
    var negative = value < 0n;
    var abs = negative ? -value : value;
    var whole = abs / 100n;
    var cents = abs % 100n;
    var symbol = SYMBOLS[currency || 'CNY'];
    var body = (symbol !== undefined ? symbol : (currency + ' ')) + whole.toString() + '.' +
      (cents < 10n ? '0' : '') + cents.toString();
    if (negative) {
      return '-' + body;
    }
    if (opts && opts.sign && value > 0n) {
      return '+' + body;
    }
    return body;
  }

  /* quantity × unit price in minor units, as a BigInt (null if either is not an integer). */
  function multiply(quantity, unitPriceMinor) {
    var q = toBigInt(quantity);
    var p = toBigInt(unitPriceMinor);
    if (q === null || p === null) {
      return null;
    }
    return q * p;
  }

  /* Whole percent of delivered over quantity, rounded down, 0..100. */
  function percent(delivered, quantity) {
    var d = toBigInt(delivered);
    var q = toBigInt(quantity);
    if (d === null || q === null || q <= 0n) {
      return 0;
    }
    var p = (d * 100n) / q;
    if (p > 100n) {
      p = 100n;
    }
    if (p < 0n) {
      p = 0n;
    }
    return Number(p);
  }

  /* Basis points as a percent without rounding: 200 -> "2%", 250 -> "2.5%", 5 -> "0.05%". */
  function bps(value) {
    var v = toBigInt(value);
    if (v === null || v < 0n) {
      return '—';
    }
    var whole = v / 100n;
    var frac = v % 100n;
    if (frac === 0n) {
      return whole.toString() + '%';
    }
    var digits = (frac < 10n ? '0' : '') + frac.toString();
    return whole.toString() + '.' + digits.replace(/0$/, '') + '%';
  }

  /* A countdown "4:32" (minutes:seconds) or "1:04:32" from milliseconds left (rounded up
   * to the next whole second, so the display reaches 0:00 exactly when the time is up). */
  function countdown(msLeft) {
    var total = Math.ceil(Math.max(0, msLeft) / 1000);
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    var ss = (seconds < 10 ? '0' : '') + seconds;
    if (hours > 0) {
      return hours + ':' + (minutes < 10 ? '0' : '') + minutes + ':' + ss;
    }
    return minutes + ':' + ss;
  }

  /* Seconds as plain words: "10 min", "1 h 30 min", "45 s" / "10 分钟", "1 小时 30 分钟". */
  function duration(seconds, lang) {
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var rest = s % 60;
    var zh = lang === 'zh';
    var parts = [];
    if (h > 0) {
      parts.push(h + (zh ? ' 小时' : ' h'));
    }
    if (m > 0) {
      parts.push(m + (zh ? ' 分钟' : ' min'));
    }
    if (rest > 0 || parts.length === 0) {
      parts.push(rest + (zh ? ' 秒' : ' s'));
    }
    return parts.join(' ');
  }

  /* A time in the reader's own time zone: "2026/11/25 19:00:05" / "Nov 25, 2026, 7:00:05 PM". */
  function dateTime(iso, lang) {
    var ms = Date.parse(iso);
    if (isNaN(ms)) {
      return '—';
    }
    var locale = lang === 'zh' ? 'zh-CN' : 'en-US';
    return new Date(ms).toLocaleString(locale, {
      year: 'numeric', month: 'short', day: 'numeric',
      hour: 'numeric', minute: '2-digit', second: '2-digit'
    });
  }

  /* Only the clock time, in the reader's time zone: "19:00" / "7:00 PM". */
  function clockTime(iso, lang) {
    var ms = Date.parse(iso);
    if (isNaN(ms)) {
      return '—';
    }
    var locale = lang === 'zh' ? 'zh-CN' : 'en-US';
    return new Date(ms).toLocaleTimeString(locale, { hour: 'numeric', minute: '2-digit' });
  }

  root.FO_FORMAT = {
    money: money, multiply: multiply, percent: percent, countdown: countdown,
    bps: bps, duration: duration, dateTime: dateTime, clockTime: clockTime, toBigInt: toBigInt
  };
})(typeof window !== 'undefined' ? window : globalThis);
