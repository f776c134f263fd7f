/* Long choices (hundreds of experts, organisations, needs) become searchable: type part of a name, pick.
   Progressive enhancement of <select data-searchable> with the vendored Tom Select; without JavaScript
   the plain <select> still works. The options are the ones the server rendered (already scoped to the user). */
(function () {
  "use strict";
  function enhance(root) {
    if (typeof TomSelect === "undefined") return;
    (root || document).querySelectorAll("select[data-searchable]").forEach(function (el) {
      if (el.tomselect) return;
      var noResults = el.dataset.noResults || "没有匹配的选项";
      new TomSelect(el, {
        plugins: el.multiple ? ["remove_button"] : (el.required ? [] : ["clear_button"]),
        maxOptions: null,
        hidePlaceholder: true,
        placeholder: el.dataset.placeholder || "",
        allowEmptyOption: false,
        closeAfterSelect: !el.multiple,
        render: {
          no_results: function () {
            var div = document.createElement("div");
            div.className = "no-results";
            div.textContent = noResults;
            return div;
          },
        },
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  } else {
    enhance(document);
  }
  document.addEventListener("htmx:afterSwap", function (e) { enhance(e.target); });
})();
