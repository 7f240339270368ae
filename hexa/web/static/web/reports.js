// The reports' pages. Every page works without it: the chart's figures are also a table, the
// forms submit, the browser prints. With it: the chart (Chart.js), each series with its own
// fill pattern as well as its colour, so that it reads without telling colours apart; a click
// on a bar opens its dedications (its period's, and its client's or employee's); typing a
// date chooses "Between dates"; a Print button. No inline scripts: the Content-Security-
// Policy forbids them, so the figures come in a JSON <script> (Django's json_script).
"use strict";

(() => {
  // Okabe and Ito's palette, told apart by most people with colour blindness; the last one,
  // grey, is for "Other".
  const COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8c8c8c"];
  const MARKS = ["none", "diagonal", "dots", "horizontal", "cross", "vertical", "grid"];
  const TILE = 12;

  // A tile of `colour` with white marks of the given kind, repeated as the bar's fill.
  function pattern(mark, colour) {
    // In the chart's own units: Chart.js scales its canvas for the screen's pixel density,
    // and the pattern with it.
    const tile = document.createElement("canvas");
    tile.width = tile.height = TILE;
    const context = tile.getContext("2d");
    context.fillStyle = colour;
    context.fillRect(0, 0, TILE, TILE);
    context.strokeStyle = context.fillStyle = "rgba(255, 255, 255, 0.85)";
    context.lineWidth = 2;
    const line = (x1, y1, x2, y2) => {
      context.beginPath();
      context.moveTo(x1, y1);
      context.lineTo(x2, y2);
      context.stroke();
    };
    switch (mark) {
      case "diagonal":
        line(0, TILE, TILE, 0);
        line(-TILE / 2, TILE / 2, TILE / 2, -TILE / 2);
        line(TILE / 2, TILE * 1.5, TILE * 1.5, TILE / 2);
        break;
      case "dots":
        context.beginPath();
        context.arc(TILE / 4, TILE / 4, 1.8, 0, 2 * Math.PI);
        context.arc((3 * TILE) / 4, (3 * TILE) / 4, 1.8, 0, 2 * Math.PI);
        context.fill();
        break;
      case "horizontal":
        line(0, TILE / 2, TILE, TILE / 2);
        break;
      case "vertical":
        line(TILE / 2, 0, TILE / 2, TILE);
        break;
      case "cross":
        line(0, 0, TILE, TILE);
        line(0, TILE, TILE, 0);
        break;
      case "grid":
        line(0, TILE / 2, TILE, TILE / 2);
        line(TILE / 2, 0, TILE / 2, TILE);
        break;
      default:
        break; // plain colour
    }
    return context.createPattern(tile, "repeat");
  }

  // 90 -> "1h30", 45 -> "45m", 120 -> "2h": as hexa.lib.durations.format_minutes.
  function duration(minutes) {
    const hours = Math.floor(minutes / 60);
    const rest = minutes % 60;
    if (!hours) return `${rest}m`;
    return rest ? `${hours}h${String(rest).padStart(2, "0")}` : `${hours}h`;
  }

  // The dedications behind a bar: its period's, narrowed to its series' client or employee
  // ("Other" is several: the whole period's).
  function entries(figures, periodIndex, seriesIndex) {
    const address = new URL(figures.entries[periodIndex], window.location.href);
    const code = figures.series[seriesIndex].code;
    if (code) address.searchParams.set(figures.stack, code);
    return address.href;
  }

  let chart = null;
  // The figures of a report that htmx is putting in (see htmx:beforeSwap below).
  let swapped = null;

  function draw() {
    if (chart) {
      chart.destroy();
      chart = null;
    }
    const source = document.getElementById("chart-data");
    const canvas = document.querySelector("canvas[data-chart]");
    const json = source ? source.textContent : swapped;
    swapped = null;
    if (!json || !canvas || !window.Chart) return;
    const figures = JSON.parse(json);
    const style = getComputedStyle(document.body);
    const text = style.color;
    const lines = style.getPropertyValue("--pico-muted-border-color").trim() || "#ddd";
    const language = document.documentElement.lang || undefined;
    const hours = new Intl.NumberFormat(language, { maximumFractionDigits: 1 });
    // On a phone the legend would take the chart's room: codes only there.
    const narrow = canvas.parentElement.clientWidth < 600;
    const datasets = figures.series.map((series, index) => {
      // "Other" keeps grey and no marks wherever it falls; the others take turns.
      const other = series.code === "";
      const colour = other ? COLOURS[COLOURS.length - 1] : COLOURS[index % (COLOURS.length - 1)];
      const mark = other ? "none" : MARKS[index % MARKS.length];
      return {
        label: !series.code || narrow ? series.code || series.name : `${series.code} · ${series.name}`,
        data: series.minutes.map((minutes) => minutes / 60),
        minutes: series.minutes,
        backgroundColor: pattern(mark, colour),
        borderColor: "#fff",
        borderWidth: 1,
      };
    });
    chart = new window.Chart(canvas, {
      type: "bar",
      data: { labels: figures.labels, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        onClick: (_event, bars) => {
          if (bars.length) window.location.assign(entries(figures, bars[0].index, bars[0].datasetIndex));
        },
        onHover: (_event, bars) => canvas.classList.toggle("over-bar", bars.length > 0),
        color: text,
        scales: {
          x: { stacked: true, ticks: { color: text }, grid: { display: false } },
          y: {
            stacked: true,
            beginAtZero: true,
            title: { display: true, text: figures.axis, color: text },
            ticks: { color: text, callback: (value) => hours.format(value) },
            grid: { color: lines },
          },
        },
        plugins: {
          legend: {
            position: "bottom",
            labels: { color: text, boxWidth: narrow ? 20 : 28, boxHeight: narrow ? 12 : 16 },
          },
          tooltip: {
            callbacks: {
              label: (item) =>
                `${item.dataset.label}: ${duration(item.dataset.minutes[item.dataIndex])}`,
            },
          },
        },
      },
    });
    canvas.dataset.drawn = "true";
  }

  document.addEventListener("DOMContentLoaded", () => {
    draw();
    for (const button of document.querySelectorAll("[data-print]")) button.hidden = false;
  });
  // htmx leaves out every <script> of what it puts in the page (allowScriptTags is off), the
  // chart's JSON one too: read the figures from the answer before the swap. DOMParser runs
  // nothing.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const answer = new DOMParser().parseFromString(event.detail.serverResponse, "text/html");
    const source = answer.getElementById("chart-data");
    swapped = source ? source.textContent : null;
  });
  // htmx put in a new report (the filters changed): draw its figures. htmx:load is fired on
  // the new content, which is in the document, so it reaches this listener.
  document.addEventListener("htmx:load", (event) => {
    if (event.target !== document.body && event.target.querySelector("canvas[data-chart]")) draw();
  });

  // A date typed means "Between dates". Capture phase: before htmx sends the form.
  document.addEventListener(
    "change",
    (event) => {
      const field = event.target;
      if (!field.form || !field.form.classList.contains("report-form")) return;
      if (field.name !== "date_from" && field.name !== "date_to") return;
      const period = field.form.elements.namedItem("period");
      if (period) period.value = "custom";
    },
    true,
  );

  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
