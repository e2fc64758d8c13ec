// The page's deferred part (the entry of the second bundle, web/build.mjs): uPlot and the
// charts, the GPU comparison table, the solvers and the plan panel. It imports the modules
// the first bundle already holds (app.js, update.js, form.js...) from that bundle's live
// instances, never a copy; it runs once the first answer is on screen (web/src/deferred.js).
import { setupCharts, renderCharts } from './chart_panel.js';
import { readTheme } from './charts.js';
import { renderSolvers } from './solvers.js';
import { setupPlanPanel } from './plan_panel.js';
import { app } from './app.js';
import { provideDeferred } from './deferred.js';

setupCharts();
app.chartsReady = true;
setupPlanPanel();
provideDeferred({ renderCharts, renderSolvers, readTheme });
