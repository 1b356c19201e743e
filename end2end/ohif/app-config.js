/* OHIF 3.x configuration for reading SonoHub's DICOMweb service (served as /app-config.js).
 *
 * ohif/serve.mjs puts `window.sonohubOhif = { dicomWebRoot, token }` in front of this file:
 * the root is `/dicom-web` when OHIF and SonoHub share an origin (the server proxies it) or
 * SonoHub's own `http://host:port/dicom-web` when they do not (SonoHub then needs
 * `--dicomweb-cors <OHIF's origin>`). The token is SonoHub's `--dicomweb-token`.
 */
(function () {
  const { dicomWebRoot, token } = window.sonohubOhif;

  /* The bearer token on every DICOMweb request, the study list's included. OHIF's own
   * `?token=` only works on /viewer URLs; its OIDC routes need an identity provider. An
   * extension's preRegistration runs once the user authentication service exists, and every
   * DICOMweb request (QIDO, WADO-RS metadata, frames through the image loader, thumbnails)
   * takes its Authorization header from that service. */
  const sonohubBearer = {
    id: 'sonohub-bearer-token',
    preRegistration({ servicesManager }) {
      servicesManager.services.userAuthenticationService.setServiceImplementation({
        getAuthorizationHeader: () => ({ Authorization: `Bearer ${token}` }),
      });
    },
  };

  window.config = {
    name: 'sonohub-end2end',
    routerBasename: null,
    extensions: [sonohubBearer],
    modes: [],
    // No guided tour: its modal overlay would sit over the viewport being checked.
    customizationService: { 'ohif.tours': { $set: [] } },
    showStudyList: true,
    maxNumberOfWebWorkers: 3,
    // The cross-origin warning is about SharedArrayBuffer isolation, not DICOMweb.
    showWarningMessageForCrossOrigin: false,
    showCPUFallbackMessage: false,
    showLoadingIndicator: true,
    showErrorDetails: 'always',
    strictZSpacingForVolumeViewport: true,
    // Ultrasound is in OHIF's cine modalities (US, OT): a multi-frame clip opens with the cine
    // player shown, paused on the first frame until play is pressed (autoPlayCine would start it).
    autoPlayCine: false,
    maxNumRequests: { interaction: 100, thumbnail: 5, prefetch: 25 },
    defaultDataSourceName: 'sonohub',
    dataSources: [
      {
        namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',
        sourceName: 'sonohub',
        configuration: {
          friendlyName: 'SonoHub',
          name: 'sonohub',
          qidoRoot: dicomWebRoot,
          wadoRoot: dicomWebRoot,
          wadoUriRoot: dicomWebRoot,
          qidoSupportsIncludeField: true,
          supportsFuzzyMatching: false,
          supportsWildcard: true,
          // Frames through WADO-RS /frames (as stored: JPEG baseline clips are decoded in the
          // browser), thumbnails from /thumbnail fetched with the Authorization header.
          imageRendering: 'wadors',
          thumbnailRendering: 'thumbnail',
          thumbnailRequestStrategy: 'fetch',
          enableStudyLazyLoad: true,
          staticWado: false,
          singlepart: 'bulkdata,video',
          bulkDataURI: { enabled: true, relativeResolution: 'series' },
          omitQuotationForMultipartRequest: true,
        },
      },
    ],
    httpErrorHandler: (error) => {
      console.warn('DICOMweb request failed', error?.status, error?.responseURL ?? '');
    },
  };
})();
