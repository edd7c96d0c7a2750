/* Course behaviour on top of sphinx-book-theme (no library, nothing fetched).
 *
 * 1. A solution's header ("Solution to Exercise 6.4 (...)") opens the solution when clicked:
 *    sphinx-exercise makes the exercise's name a link back to the exercise, which jumped away
 *    and left the solution folded. The link now unfolds the solution in place (a second click
 *    folds it again); the exercise is the box just above it.
 * 2. A figure (an image drawn by lstmlab.viz) opens full size when tapped or clicked, in a dialog
 *    that the reader can scroll and pinch; Escape, the close button or a click closes it.
 */
(function () {
  "use strict";

  function toggleSolution(solution) {
    const button = solution.querySelector("button.toggle-button");
    if (button) {
      button.click();
    }
  }

  function setUpSolutions() {
    document.querySelectorAll(".solution.dropdown > .admonition-title, .solution.toggle > .admonition-title")
      .forEach((title) => {
        title.querySelectorAll("a").forEach((link) => {
          link.addEventListener("click", (event) => {
            event.preventDefault();
            event.stopPropagation();
            toggleSolution(title.parentElement);
          });
        });
      });
  }

  let dialog = null;

  function lightbox() {
    if (dialog) {
      return dialog;
    }
    dialog = document.createElement("dialog");
    dialog.className = "lstmlab-lightbox";
    dialog.setAttribute("aria-label", "Enlarged figure");
    const close = document.createElement("button");
    close.type = "button";
    close.className = "lstmlab-lightbox-close";
    close.textContent = "Close";
    close.addEventListener("click", () => dialog.close());
    const frame = document.createElement("div");
    frame.className = "lstmlab-lightbox-frame";
    dialog.append(close, frame);
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog || event.target.tagName === "IMG") {
        dialog.close();
      }
    });
    document.body.append(dialog);
    return dialog;
  }

  function enlarge(img) {
    const box = lightbox();
    const frame = box.querySelector(".lstmlab-lightbox-frame");
    const copy = document.createElement("img");
    copy.src = img.currentSrc || img.src;
    copy.alt = img.alt;
    // Full resolution: the PNG is drawn at twice the size the page shows it at.
    copy.style.width = Math.max(img.naturalWidth / 2, img.clientWidth * 1.6) + "px";
    frame.replaceChildren(copy);
    box.showModal();
  }

  function setUpFigures() {
    document.querySelectorAll("button.lstmlab-figure-zoom").forEach((button) => {
      button.addEventListener("click", () => enlarge(button.querySelector("img")));
    });
  }

  function start() {
    setUpSolutions();
    setUpFigures();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
